// SPDX-License-Identifier: GPL-3.0-or-later
// The gap and drop totals stay exact integers through the real notifier: a sequence jump past
// 2^53 and a sender's drop total that goes down, seen in /metrics, /v1/status and /v1/sources.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, SourceId } from '../../src/protocol/types.js';
import { RegistrationTable } from '../../src/table/table.js';
import { startNotifier } from '../support/notifier.js';
import { cleanup } from '../support/processes.js';
import { closePushSockets, command, connectPush } from '../support/push.js';
import { encodeMessage } from '../support/frames.js';
import { makeTempDir } from '../support/temp.js';

const HOUR_MS = 3_600_000;
const LEASE = { defaultIntervalMs: 60_000, multiplier: 3, minLeaseMs: 30, maxLeaseMs: 300_000 };

afterEach(async () => {
  closePushSockets();
  await cleanup();
});

const source: SourceId = { host: 'exact.example.org', pid: 7, epoch: '00000000000000aa' };
const register = (seq: bigint): Message => ({ kind: 'register', source, seq, command: command('SOGo', 'jdoe', 'jdoe') });
const heartbeat = (seq: bigint, dropped: bigint): Message => ({ kind: 'heartbeat', source, seq, intervalMs: 60_000, dropped, entries: [] });

function exposed(text: string, name: string): string | undefined {
  return text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1];
}

describe('counts', () => {
  it('sum sequence gaps exactly: a jump past 2^53, then two more, is off by nothing', async () => {
    // A jump that large is plausible only after a long silence (sequence-bound.ts): the source
    // comes from a saved state in which it was last heard in 1970, with its lease still running.
    const saved = new RegistrationTable({ limits: { maxSources: 1, maxRegistrationsPerSource: 1 }, lease: LEASE, now: () => 0 });
    saved.apply(register(1n));
    const state = saved.toState();
    for (const s of state.sources) s.expiresAt = Date.now() + HOUR_MS;
    const stateDir = join(makeTempDir(), 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    writeFileSync(join(stateDir, 'table.json'), JSON.stringify(state));
    const notifier = await startNotifier({ heartbeatMs: 60_000, stateDir });
    const push = connectPush(notifier.endpoint);
    for (const seq of [2n ** 53n + 3n, 2n ** 53n + 6n]) await push.send(encodeMessage(register(seq)));
    const want = (2n ** 53n + 3n).toString(); // (2^53 + 3 - 1 - 1) + 2: no double holds it
    await notifier.waitFor('the gaps counted', async (n) => (await n.status()).counters.gaps === want);
    expect(exposed(await notifier.metrics(), 'mapistore_mgmt_sequence_gaps_total')).toBe(want);
    expect((await notifier.sources())[0]?.gaps).toBe(want);
  });

  it('count a sender drop total that goes down as no new drops, and only rises above the highest after it', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000 });
    const push = connectPush(notifier.endpoint);
    for (const [seq, dropped] of [[1n, 100n], [2n, 5n], [3n, 100n], [4n, 103n]] as const) await push.send(encodeMessage(heartbeat(seq, dropped)));
    await notifier.waitFor('the four heartbeats applied', async (n) => (await n.sources())[0]?.lastSeq === '4');
    expect((await notifier.status()).counters.senderDrops).toBe('103');
    expect(exposed(await notifier.metrics(), 'mapistore_mgmt_sender_dropped_total')).toBe('103');
    expect((await notifier.sources())[0]?.droppedReported).toBe('103');
  });
});
