// SPDX-License-Identifier: GPL-3.0-or-later
// Signals follow the daemon convention: SIGHUP reads the config file again and keeps running
// with the table intact; SIGTERM and SIGINT stop gracefully (state.test.ts).
import { writeFileSync } from 'node:fs';
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

const jdoe = { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 };

describe('SIGHUP', () => {
  it('keeps the notifier running with its table, and logs that nothing was reloaded without a config file', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000 });
    await new FakeSource(connectPush(notifier.endpoint)).register('SOGo', 'jdoe', 'jdoe');
    await notifier.waitForUsers([jdoe]);
    notifier.process.signal('SIGHUP');
    await notifier.process.waitForOutput(/SIGHUP: no --config file to read again/);
    expect(notifier.process.running).toBe(true);
    expect(await notifier.users()).toEqual([jdoe]);
  });

  it('applies a new log level from the config file and names the settings that need a restart', async () => {
    const config = join(makeTempDir(), 'notifier.env');
    writeFileSync(config, 'MAPISTORE_MGMT_LOG_LEVEL=info\n');
    const notifier = await startNotifier({ heartbeatMs: 60_000, args: ['--config', config] });
    await new FakeSource(connectPush(notifier.endpoint)).register('SOGo', 'jdoe', 'jdoe');
    await notifier.waitForUsers([jdoe]);

    writeFileSync(config, '# changed\nMAPISTORE_MGMT_LOG_LEVEL=warn\nMAPISTORE_MGMT_MAX_SOURCES=5\nOTHER_PROGRAM=1\n');
    notifier.process.signal('SIGHUP');
    // At level warn the info line is not written: the warning shows the new level took effect.
    await notifier.process.waitForOutput(/these changed settings take effect at the next start/);
    const lines = notifier.logs();
    expect(lines.find((line) => String(line.msg).includes('take effect at the next start'))).toMatchObject({ settings: ['--max-sources'] });
    expect(lines.some((line) => String(line.msg).includes('read the config file again'))).toBe(false);

    writeFileSync(config, 'MAPISTORE_MGMT_LOG_LEVEL=loud\n');
    notifier.process.signal('SIGHUP');
    await notifier.process.waitForOutput(/the config file is unusable; nothing changed/);
    expect(notifier.process.running).toBe(true);
    expect(await notifier.users()).toEqual([jdoe]);
  });
});

describe('the config file', () => {
  it('is refused at start with the file and setting named when a value is bad, exit 2', async () => {
    const config = join(makeTempDir(), 'notifier.env');
    writeFileSync(config, 'MAPISTORE_MGMT_MAX_SOURCES=lots\n');
    const result = await runCli(['serve', '--config', config, '--http', '127.0.0.1:0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${config}: MAPISTORE_MGMT_MAX_SOURCES:`);
  });

  it('gives way to a flag or a variable', async () => {
    const config = join(makeTempDir(), 'notifier.env');
    writeFileSync(config, 'MAPISTORE_MGMT_HEARTBEAT_MS=1234\nMAPISTORE_MGMT_MAX_SOURCES=lots\n');
    // The file is checked whole, even a setting that a flag overrides.
    const result = await runCli(['serve', '--config', config, '--max-sources', '3', '--http', '127.0.0.1:0']);
    expect(result.code).toBe(2);
    // The library's own settings, for backends sharing the file, are no concern of serve's.
    writeFileSync(config, 'MAPISTORE_MGMT_HEARTBEAT_MS=1234\nMAPISTORE_MGMT_MAX_SOURCES=1\nMAPISTORE_MGMT_QUEUE_LIMIT=50\nMAPISTORE_MGMT_BATCHING=0\n');
    const notifier = await startNotifier({ args: ['--config', config], env: { MAPISTORE_MGMT_MAX_SOURCES: '3' } });
    const push = connectPush(notifier.endpoint);
    for (const pid of [1, 2]) await new FakeSource(push, 'h', pid).register('SOGo', `u${pid}`, `u${pid}`);
    await notifier.waitFor('both sources taken (the variable beat the file)', async (n) => (await n.sources()).length === 2);
    // The test harness passes --heartbeat-ms, which beats the file's 1234.
    expect((await notifier.sources())[0]?.intervalMs).toBe(200);
  });
});
