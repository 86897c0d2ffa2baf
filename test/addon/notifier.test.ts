// SPDX-License-Identifier: GPL-3.0-or-later
// End to end with the real notifier (a separate process): the addon in this process and in
// Node children, beside the C tool, the C example backend and a forking C host, all through
// the same C library; and how a Node child's source leaves: goodbye at exit, lease at kill -9.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Status } from '../../src/server/api-types.js';
import { configure, registerUser, shutdown, unregisterUser } from '../../src/index.js';
import { REPO_ROOT, cleanup, spawnProcess, spawnSender, type TestProcess } from '../support/processes.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';

const HOLD = fileURLToPath(new URL('./fixtures/hold.mjs', import.meta.url));
/** Built against an installed copy of the library by ctest's example_build (npm test runs it first). */
const SOGO_LIKE_BACKEND = join(REPO_ROOT, 'build', 'examples', 'sogo-like-backend', 'sogo-like-backend');
const FORK_SENDER = join(REPO_ROOT, 'build', 'bin', 'addon-fork-sender');

let notifier: RunningNotifier;

beforeEach(async () => {
  notifier = await startNotifier();
});

afterEach(cleanup);

interface HolderOptions {
  endpoint: string;
  heartbeatMs: number;
  lingerMs?: number;
}

/** A Node child holding `triples` (USER/BACKEND/VUSER) through the addon, once it says so. */
async function holdInNode(holder: HolderOptions, ...triples: string[]): Promise<{ proc: TestProcess; pid: number }> {
  const options = JSON.stringify(holder);
  const proc = spawnProcess(process.execPath, [HOLD, options, ...triples], { label: 'node addon holder' });
  await proc.waitForOutput(/"registrationsHeld":\d+/);
  return { proc, pid: proc.pid };
}

function count(status: Status, kind: string): number {
  return status.counters.messages[kind]?.applied ?? 0;
}

function entry(name: string, count: number) {
  return { backend: 'SOGo', username: name, vuser: name, count };
}

it('registrations from this process reach the notifier and leave it', async () => {
  configure({ endpoint: notifier.endpoint });
  registerUser({ username: 'jdoe' }, 'SOGo', 'jdoe');
  registerUser({ username: 'jdoe' }, 'SOGo', 'jdoe');
  await notifier.waitForUsers([entry('jdoe', 2)]);
  expect(await notifier.registeredUsers('SOGo', 'jdoe')).toEqual({ backend: 'SOGo', vuser: 'jdoe', usernames: ['jdoe'], next: null });
  expect((await notifier.sources()).map((source) => source.pid)).toEqual([process.pid]);
  unregisterUser({ username: 'jdoe' }, 'SOGo', 'jdoe');
  unregisterUser({ username: 'jdoe' }, 'SOGo', 'jdoe');
  await notifier.waitForUsers([]);
  shutdown();
});

it('the addon in Node, the C tool, the C example backend and a forking C host converge', async () => {
  for (const program of [SOGO_LIKE_BACKEND, FORK_SENDER]) {
    expect(existsSync(program), `${program} (npm run build:native, then ctest --test-dir build)`).toBe(true);
  }
  // Short heartbeats: a goodbye lost at exit (libzmq #4660) is made up for within a second.
  const env = { MAPISTORE_MGMT_ENDPOINT: notifier.endpoint, MAPISTORE_MGMT_HEARTBEAT_MS: '200' };
  const node = await holdInNode({ endpoint: notifier.endpoint, heartbeatMs: 200 }, 'alice/SOGo/alice', 'shared/SOGo/shared');
  const tool = spawnSender(['register bob SOGo bob', 'register shared SOGo shared', 'hold'], { endpoint: notifier.endpoint });
  const backend = spawnProcess(SOGO_LIKE_BACKEND, ['carol'], { env, label: 'sogo-like-backend' });
  const forker = spawnProcess(FORK_SENDER, ['dave', 'erin'], { env, label: 'fork-sender' });
  await forker.waitForOutput(/child \d+ ready/);

  // The forked child holds erin only: dave stays its parent's.
  await notifier.waitForUsers([
    entry('alice', 1), entry('bob', 1), entry('carol', 3), entry('dave', 1), entry('erin', 1), entry('shared', 2),
  ]);
  expect(new Set((await notifier.sources()).map((source) => source.pid)).size).toBe(5);

  await node.proc.stop();
  await forker.stop();
  await notifier.waitForUsers([entry('bob', 1), entry('carol', 3), entry('shared', 1)]);
  expect((await backend.stop()).code).toBe(0);
  await notifier.waitForUsers([entry('bob', 1), entry('shared', 1)]);
  expect(tool.running).toBe(true);
});

it('a Node child exiting with registrations held is removed by its goodbye', async () => {
  // A 5 s heartbeat gives a 15 s lease: waiting for either the goodbye or the lease, and
  // then finding a goodbye and no expiry, shows the goodbye did it. The goodbye must not be
  // lost: over tcp (ipc can lose an exiting sender's last messages, libzmq #4660), with a
  // linger that lets a loaded machine send it (exit waits only as long as that takes).
  const tcp = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--insecure-plain-tcp'] });
  const { proc, pid } = await holdInNode({ endpoint: tcp.endpoint, heartbeatMs: 5_000, lingerMs: 20_000 }, 'frank/SOGo/frank', 'frank/SOGo/frank');
  await tcp.waitForUsers([entry('frank', 2)]);
  const before = await tcp.status();
  expect((await proc.stop(30_000)).code).toBe(0);
  await tcp.waitFor('the source to leave', async (n) => !(await n.sources()).some((s) => s.pid === pid), { timeoutMs: 25_000 });
  const after = await tcp.status();
  expect(count(after, 'goodbye')).toBe(count(before, 'goodbye') + 1);
  expect(after.counters.expirations).toBe(before.counters.expirations);
  expect(await tcp.users()).toEqual([]);
}, 60_000);

it('a Node child killed with kill -9 leaves when its lease expires', async () => {
  const { proc, pid } = await holdInNode({ endpoint: notifier.endpoint, heartbeatMs: 200 }, 'grace/SOGo/grace');
  await notifier.waitForUsers([entry('grace', 1)]);
  const before = await notifier.status();
  expect((await proc.kill9()).signal).toBe('SIGKILL');
  await notifier.waitForUsers([]);
  const after = await notifier.status();
  expect(after.counters.expirations).toBe(before.counters.expirations + 1);
  expect(count(after, 'goodbye')).toBe(count(before, 'goodbye'));
  expect((await notifier.sources()).some((source) => source.pid === pid)).toBe(false);
});
