// SPDX-License-Identifier: GPL-3.0-or-later
// Batched frames (docs/protocol.md, "Batches") end to end. A real Node process makes a burst of
// calls through the C library while the notifier's socket directory does not exist yet, so the
// library holds them all; once the notifier is up, they reach it as batches. Each message of a
// batch is applied and counted as if it had come alone. Hand-made batches over a real PUSH
// socket cover what the library never sends: a bad batch (rejected whole, counted once) and
// stale messages inside a batch.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/types.js';
import type { UserEntry } from '../../src/server/api-types.js';
import { encodeMessages } from '../support/frames.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, spawnProcess } from '../support/processes.js';
import { closePushSockets, command, connectPush } from '../support/push.js';
import { makeTempDir } from '../support/temp.js';

const BURST = fileURLToPath(new URL('./fixtures/burst.mjs', import.meta.url));
const COUNT = 3000;
const NO_DIRECTORY = 7;
/** The longest interval: no heartbeat but the announcement while a test runs. */
const INTERVAL_MS = 100_000;

afterEach(async () => {
  closePushSockets();
  await cleanup();
});

/** A counter of the notifier's /metrics text (0 when absent). */
async function metric(notifier: RunningNotifier, name: string): Promise<number> {
  const line = (await notifier.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/**
 * Runs the burst fixture against an endpoint whose directory does not exist yet, checks that
 * the library holds every message, then starts the notifier there.
 */
async function heldBurst(env: NodeJS.ProcessEnv, args: string[] = [], configure: { batching?: boolean } = {}): Promise<{ notifier: RunningNotifier; pid: number }> {
  const endpoint = `ipc://${join(makeTempDir('mm-batches-'), 'later', 'notify.sock')}`;
  const options = JSON.stringify({ endpoint, heartbeatMs: INTERVAL_MS, queueLimit: 2 * COUNT, ...configure });
  const sender = spawnProcess(process.execPath, [BURST, options, String(COUNT)], { label: 'burst', env: { ...process.env, ...env } });
  const report = JSON.parse((await sender.waitForOutput(/^(\{"pid".*)$/m, 60_000))[1] ?? '') as { pid: number; queueLength: number; endpointError: number };
  expect(report.endpointError).toBe(NO_DIRECTORY);
  // The announcement, COUNT registers and COUNT / 2 unregisters, all waiting.
  expect(report.queueLength).toBe(1 + COUNT + COUNT / 2);
  const notifier = await startNotifier({ endpoint, heartbeatMs: INTERVAL_MS, args });
  return { notifier, pid: report.pid };
}

const evenUsers = (limit = COUNT): UserEntry[] =>
  Array.from({ length: limit }, (_, i) => i)
    .filter((i) => i % 2 === 0)
    .map((i) => ({ backend: 'SOGo', username: `user${i}`, vuser: `user${i}`, count: 1 }))
    .sort((a, b) => (a.username < b.username ? -1 : 1));

it('a burst the library held reaches the notifier in batches, each message applied as if alone', async () => {
  const { notifier, pid } = await heldBurst({});
  await notifier.waitForUsers(evenUsers(), { timeoutMs: 30_000 });
  const { counters } = await notifier.status();
  expect(counters.messages).toEqual({
    heartbeat: { applied: 1 },
    register: { applied: COUNT },
    unregister: { applied: COUNT / 2 },
  });
  expect(Object.values(counters.rejections).every((n) => n === 0)).toBe(true);
  expect(counters.gaps).toBe('0');
  expect(counters.unmatchedUnregisters).toBe(0);
  // At most 256 messages a frame (the sender's turn), the heartbeat alone: at least this many batches.
  const batched = await metric(notifier, 'mapistore_mgmt_batched_messages_total');
  expect(await metric(notifier, 'mapistore_mgmt_batches_total')).toBeGreaterThanOrEqual(Math.ceil((COUNT + COUNT / 2) / 256));
  expect(batched).toBeGreaterThan(COUNT);
  expect(await notifier.sources()).toMatchObject([{ pid, lastSeq: String(1 + COUNT + COUNT / 2), registrations: COUNT / 2 }]);
});

it.each([
  ['MAPISTORE_MGMT_BATCHING=0', { MAPISTORE_MGMT_BATCHING: '0' }, {}],
  ["the addon's configure({ batching: false })", {}, { batching: false }],
])('with batching off (%s) the same burst arrives as single messages', async (_how, env, configure) => {
  const { notifier } = await heldBurst(env, [], configure);
  await notifier.waitForUsers(evenUsers(), { timeoutMs: 30_000 });
  expect((await notifier.status()).counters.messages.register).toEqual({ applied: COUNT });
  expect(await metric(notifier, 'mapistore_mgmt_batches_total')).toBe(0);
});

it('a per-source limit rejects, one by one, the messages of a batch that exceed it', async () => {
  const limit = 100;
  const { notifier } = await heldBurst({}, ['--max-registrations-per-source', String(limit)]);
  // Registers 0..limit-1 fit; each later one is refused alone (counted per message), and the
  // unregisters of the odd ones below the limit apply; those above match nothing.
  await notifier.waitForUsers(evenUsers(limit), { timeoutMs: 30_000 });
  const status = await notifier.waitFor('every message counted', async (n) => {
    const s = await n.status();
    return (s.counters.messages.unregister?.applied ?? 0) + (s.counters.messages.unregister?.ignored ?? 0) === COUNT / 2 && s;
  });
  expect(status.counters.messages.register).toEqual({ applied: limit, rejected: COUNT - limit });
  expect(status.counters.rejections['too-many-registrations']).toBe(COUNT - limit);
  expect(status.counters.messages.unregister).toEqual({ applied: limit / 2, ignored: (COUNT - limit) / 2 });
  expect(status.counters.unmatchedUnregisters).toBe((COUNT - limit) / 2);
  expect(status.counters.gaps).toBe('0');
  expect(await metric(notifier, 'mapistore_mgmt_batches_total')).toBeGreaterThan(0);
});

it('a bad batch is rejected whole and counted once; stale messages inside a batch are rejected one by one', async () => {
  const notifier = await startNotifier({ heartbeatMs: 60_000 });
  const push = connectPush(notifier.endpoint);
  const source = { host: 'batch.example.org', pid: 99, epoch: '00000000000000bb' };
  const register = (seq: bigint, user: string): Message => ({ kind: 'register', source, seq, command: command('SOGo', user, user) });
  const counters = async () => (await notifier.status()).counters;

  // seq 1..3: applied.
  await push.send(encodeMessages([register(1n, 'ann'), register(2n, 'bob'), register(3n, 'cy')]));
  const users = ['ann', 'bob', 'cy'].map((u) => ({ backend: 'SOGo', username: u, vuser: u, count: 1 }));
  await notifier.waitForUsers(users);

  // seq 4..6 with the last one cut short: nothing of it is applied, one rejection.
  const bad = encodeMessages([register(4n, 'dan'), register(5n, 'eve'), register(6n, 'fay')]);
  await push.send(bad.subarray(0, bad.length - 3));
  // seq 2..5: 2 and 3 are stale, 4 and 5 apply.
  await push.send(encodeMessages([register(2n, 'ann'), register(3n, 'bob'), register(4n, 'dan'), register(5n, 'eve')]));
  const after = await notifier.waitFor('the last batch', async () => {
    const c = await counters();
    return (c.messages.register?.applied ?? 0) === 5 && c;
  });
  expect(after.messages).toEqual({ register: { applied: 5, rejected: 2 }, invalid: { rejected: 1 } });
  expect(after.rejections.truncated).toBe(1);
  expect(after.rejections['stale-sequence']).toBe(2);
  expect(after.gaps).toBe('0');
  expect(await notifier.users()).toEqual([...users, ...['dan', 'eve'].map((u) => ({ backend: 'SOGo', username: u, vuser: u, count: 1 }))].sort((a, b) => (a.username < b.username ? -1 : 1)));
});
