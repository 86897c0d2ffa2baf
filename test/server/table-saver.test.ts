// SPDX-License-Identifier: GPL-3.0-or-later
// The periodic saver on a real file: a table that changes all the time is not saved back to
// back, each save waits four times the previous one's length.
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TableSaver } from '../../src/server/table-store.js';
import { RegistrationTable } from '../../src/table/table.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

afterAll(removeTempDirs);

const GUID = '00112233-4455-6677-8899-aabbccddeeff';

function bigTable(): RegistrationTable {
  const table = new RegistrationTable({
    limits: { maxSources: 10, maxRegistrationsPerSource: 10_000 },
    lease: { defaultIntervalMs: 3_600_000, multiplier: 3, minLeaseMs: 1000, maxLeaseMs: 86_400_000 },
  });
  for (let s = 0; s < 3; s++) {
    const entries = Array.from({ length: 10_000 }, (_, k) => ({ backend: 'SOGo', username: `u${s}-${k}`, vuser: `u${s}-${k}`, replicaGuid: GUID, replId: 1, count: 1 }));
    table.apply({ kind: 'heartbeat', source: { host: 'h', pid: s + 1, epoch: '00000000000000aa' }, seq: 1n, intervalMs: 3_600_000, dropped: 0n, entries });
  }
  return table;
}

describe('TableSaver', () => {
  it('spaces the saves of an always-changing table by four times the last save', async () => {
    const saves: Array<{ end: number; duration: number }> = [];
    let enough: () => void = () => undefined;
    const fourSaves = new Promise<void>((resolve) => (enough = resolve));
    const saver = new TableSaver(join(makeTempDir(), 'table.json'), bigTable(), 1, pino({ level: 'silent' }), {
      // The saver's own clock readings: one taken here would lag the save's end by however
      // long this callback waited, and the gap it measures could come out short.
      saved: (seconds, endedAt) => {
        saves.push({ end: endedAt, duration: seconds * 1000 });
        if (saves.length === 4) enough();
      },
      failed: () => undefined,
    });
    const changes = setInterval(() => saver.markDirty(), 1);
    saver.markDirty();
    saver.start();
    await fourSaves;
    clearInterval(changes);
    await saver.stop();
    for (let i = 1; i < 4; i++) {
      const [before, save] = [saves[i - 1]!, saves[i]!];
      const start = save.end - save.duration;
      expect(start - before.end, `gap before save ${i}`).toBeGreaterThanOrEqual(4 * before.duration);
    }
  });
});
