// SPDX-License-Identifier: GPL-3.0-or-later
// The state file: saved on SIGTERM and restored at once; a corrupt one is moved aside.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, runCli } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { makeTempDir } from '../support/temp.js';

afterEach(async () => {
  closePushSockets();
  await cleanup();
});

describe('the state file', () => {
  it('is written on SIGTERM and restored on start, sources marked restored', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000, saveIntervalMs: 60_000 });
    const source = new FakeSource(connectPush(notifier.endpoint));
    await source.heartbeat(60_000, [['SOGo', 'jdoe', 'jdoe', 2], ['SOGo', 'ann', 'ann', 1]]);
    await notifier.waitForUsers([
      { backend: 'SOGo', username: 'ann', vuser: 'ann', count: 1 },
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 },
    ]);
    const exit = await notifier.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    // A clean stop: nothing logged as an error (50) or fatal (60), and one "stopped".
    expect(notifier.process.stdout).not.toMatch(/"level":(50|60)/);
    expect(notifier.process.stdout.match(/"msg":"stopped"/g)).toHaveLength(1);
    const saved = JSON.parse(readFileSync(join(notifier.stateDir, 'table.json'), 'utf8')) as { sources: unknown[] };
    expect(saved.sources).toHaveLength(1);

    await notifier.restart();
    expect(await notifier.users()).toEqual([
      { backend: 'SOGo', username: 'ann', vuser: 'ann', count: 1 },
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 },
    ]);
    const [restored] = await notifier.sources();
    expect(restored).toMatchObject({ key: source.key, restored: true, registrations: 3 });
  });

  it('is saved periodically while the table changes, so kill -9 loses little', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000, saveIntervalMs: 50 });
    const source = new FakeSource(connectPush(notifier.endpoint));
    await source.register('SOGo', 'jdoe', 'jdoe');
    const path = join(notifier.stateDir, 'table.json');
    await notifier.waitFor('the periodic save', () => existsSync(path) && readFileSync(path, 'utf8').includes('jdoe'));
    await notifier.kill9();
    await notifier.restart();
    expect(await notifier.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
  });

  it('is moved aside when corrupt, and the notifier starts empty', async () => {
    const stateDir = join(makeTempDir(), 'state');
    mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'table.json'), '{"format": "mapistore-mgmt-table", "version": 1, "sources": [');
    const notifier = await startNotifier({ stateDir });
    expect(await notifier.users()).toEqual([]);
    const aside = readdirSync(stateDir).filter((name) => name.startsWith('table.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(stateDir, aside[0] ?? ''), 'utf8')).toContain('"sources": [');
    expect(notifier.logs().some((line) => line.level === 50 && String(line.msg).includes('moved it aside'))).toBe(true);
    expect(notifier.process.running).toBe(true);
  });

  it('is moved aside when well-formed JSON is not a saved table', async () => {
    const stateDir = join(makeTempDir(), 'state');
    mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'table.json'), JSON.stringify({ format: 'mapistore-mgmt-table', version: 1, savedAt: 0, sources: [{ host: 'x' }] }));
    const notifier = await startNotifier({ stateDir });
    expect(await notifier.users()).toEqual([]);
    expect(readdirSync(stateDir).some((name) => name.startsWith('table.json.corrupt-'))).toBe(true);
  });

  it('must be usable at start: otherwise a message naming the directory, exit 2', async () => {
    const file = join(makeTempDir(), 'not-a-directory');
    writeFileSync(file, '');
    const result = await runCli(['serve', '--endpoint', `ipc://${makeTempDir()}/n.sock`, '--http', '127.0.0.1:0', '--state-dir', join(file, 'state')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot use the state directory ${join(file, 'state')} (ENOTDIR): choose another --state-dir`);
  });
});
