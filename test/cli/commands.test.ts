// SPDX-License-Identifier: GPL-3.0-or-later
// Every CLI command against a real notifier, human and --json output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceView, Status } from '../../src/server/api-types.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, CLI_ENTRY, runCli, spawnProcess } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { makeTokenFile } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

describe('mapistore-mgmt query commands', () => {
  let notifier: RunningNotifier;
  let alpha: FakeSource;
  let beta: FakeSource;
  const { path: tokenFile, token } = makeTokenFile();
  const cli = (...args: string[]) => runCli([...args, '--http', notifier.httpUrl]);

  beforeAll(async () => {
    notifier = await startNotifier({ heartbeatMs: 60_000, args: ['--http-token-file', tokenFile] });
    const push = connectPush(notifier.endpoint);
    alpha = new FakeSource(push, 'alpha.example.org', 11);
    beta = new FakeSource(push, 'beta.example.org', 22);
    await alpha.register('SOGo', 'jdoe', 'jdoe');
    await alpha.register('SOGo', 'jdoe', 'jdoe');
    await beta.register('SOGo', 'ann', 'shared');
    await beta.register('SOGo', 'bob', 'shared');
    await notifier.waitFor('4 registrations', async (n) => (await n.status()).sizes.registrations === 4);
  });

  afterAll(async () => {
    closePushSockets();
    await cleanup();
  });

  it('users: a readable table, or a JSON array with --json', async () => {
    const human = await cli('users');
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^BACKEND\s+USERNAME\s+VUSER\s+COUNT$/);
    expect(human.stdout).toMatch(/^SOGo\s+jdoe\s+jdoe\s+2$/m);
    const json = await cli('users', '--json');
    expect(JSON.parse(json.stdout)).toEqual([
      { backend: 'SOGo', username: 'ann', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'bob', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 },
    ]);
    const filtered = await cli('users', '--json', '--vuser', 'shared', '--username', 'bob');
    expect(JSON.parse(filtered.stdout)).toEqual([{ backend: 'SOGo', username: 'bob', vuser: 'shared', count: 1 }]);
    expect((await cli('users', '--backend', 'none')).stdout).toBe('no registered users\n');
  });

  it('users and sources --limit: only the first rows, in listing order', async () => {
    expect(JSON.parse((await cli('users', '--json', '--limit', '2')).stdout)).toEqual([
      { backend: 'SOGo', username: 'ann', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'bob', vuser: 'shared', count: 1 },
    ]);
    const sources = JSON.parse((await cli('sources', '--json', '--limit', '1')).stdout) as SourceView[];
    expect(sources.map((s) => s.key)).toEqual([alpha.key]);
    const bad = await cli('users', '--limit', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit/);
  });

  it('registered-users: one username per line, or the JSON answer', async () => {
    expect((await cli('registered-users', 'SOGo', 'shared')).stdout).toBe('ann\nbob\n');
    const json = await cli('registered-users', 'SOGo', 'shared', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ backend: 'SOGo', vuser: 'shared', usernames: ['ann', 'bob'] });
  });

  it('sources: a table of sender processes, or JSON', async () => {
    const human = await cli('sources');
    expect(human.stdout).toMatch(/^SOURCE\s+REGISTRATIONS\s+TRIPLES/);
    expect(human.stdout).toMatch(new RegExp(`^${alpha.key}\\s+2\\s+1\\s+60000ms`, 'm'));
    const json = JSON.parse((await cli('sources', '--json')).stdout) as SourceView[];
    expect(json.map((s) => [s.key, s.registrations])).toEqual([[alpha.key, 2], [beta.key, 2]]);
  });

  it('status: a summary, or the JSON document', async () => {
    const human = await cli('status');
    expect(human.stdout).toMatch(new RegExp(`^endpoint:\\s+${notifier.endpoint}$`, 'm'));
    expect(human.stdout).toMatch(/^registrations:\s+4$/m);
    expect(human.stdout).toMatch(/^register\s+applied\s+4$/m);
    expect(human.stdout).not.toContain('REJECTED BECAUSE'); // every reason is at 0
    const json = JSON.parse((await cli('status', '--json')).stdout) as Status;
    expect(json.sizes).toEqual({ sources: 2, users: 3, registrations: 4 });
  });

  it('watch: prints a line per change (JSON lines with --json)', async () => {
    const watcher = spawnProcess(process.execPath, [CLI_ENTRY, 'watch', '--json', '--http', notifier.httpUrl], { label: 'watch' });
    const gamma = new FakeSource(connectPush(notifier.endpoint), 'gamma.example.org', 33);
    await notifier.waitFor('the watcher to subscribe', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 1'));
    await gamma.register('SOGo', 'zed', 'zed');
    await gamma.unregister('SOGo', 'zed', 'zed');
    await waitFor('watch to print the unregistration', () => watcher.stdout.includes('"kind":"unregistered"'));
    const first = JSON.parse(watcher.stdout.split('\n')[0] ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ kind: 'registered', backend: 'SOGo', username: 'zed', vuser: 'zed' });
    await watcher.stop();
    await gamma.goodbye();
  });

  it('watch exits 1 with a message when the notifier goes away', async () => {
    const other = await startNotifier();
    const watcher = spawnProcess(process.execPath, [CLI_ENTRY, 'watch', '--http', other.httpUrl], { label: 'watch' });
    await other.waitFor('the watcher to subscribe', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 1'));
    await other.stop();
    const status = await watcher.exited;
    expect(status.code).toBe(1);
    expect(watcher.stderr).toContain('closed the change stream');
  });

  it('purge: takes any host name, percent-encoding it for the URL', async () => {
    const odd = new FakeSource(connectPush(notifier.endpoint), 'wéird%host/with slash', 44);
    await odd.register('SOGo', 'odd', 'odd');
    await notifier.waitFor('the odd source', async (n) => (await n.sources()).some((s) => s.key === odd.key));
    expect(await cli('purge', odd.key, '--http-token-file', tokenFile)).toMatchObject({ code: 0, stdout: `purged ${odd.key}\n` });
    expect((await notifier.sources()).some((s) => s.key === odd.key)).toBe(false);
  });

  it('purge: needs the token (from MAPISTORE_MGMT_HTTP_TOKEN here), removes a source, or says it does not exist (exit 1)', async () => {
    const refused = await cli('purge', beta.key);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the notifier refused the purge: this request needs the bearer token');
    const env = { MAPISTORE_MGMT_HTTP_TOKEN: token };
    const purged = await runCli(['purge', beta.key, '--http', notifier.httpUrl], { env });
    expect(purged).toMatchObject({ code: 0, stdout: `purged ${beta.key}\n` });
    expect((await notifier.users()).map((u) => u.username)).toEqual(['jdoe']);
    const missing = await runCli(['purge', beta.key, '--http', notifier.httpUrl], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no source ${beta.key} (list them with \`mapistore-mgmt sources\`)`);
  });
});
