// SPDX-License-Identifier: GPL-3.0-or-later
// A limit the library and the notifier agree on (docs/protocol.md, "Limits"): a process's
// registrations reach the notifier in full, or the call that could not be honoured says so.
// A real Node process registers 20,000 or 200,000 distinct triples through the C library
// against a notifier with its default limits; the table then holds exactly the triples whose
// calls succeeded, and keeps them, heartbeat after heartbeat (each about 400 KB, several frames).
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { UserEntry } from '../../src/server/api-types.js';
import { DEFAULTS, LIBRARY_LIMITS } from '../../src/server/defaults.js';
import { startNotifier } from '../support/notifier.js';
import { cleanup, spawnProcess, spawnSender } from '../support/processes.js';

const REGISTER_MANY = fileURLToPath(new URL('./fixtures/register-many.mjs', import.meta.url));
const INTERVAL_MS = 200;
/** Six heartbeats applied after the table was first right span at least five intervals. */
const HEARTBEATS_WATCHED = 6;

interface Report {
  pid: number;
  epoch: string;
  succeeded: number[];
  refused: Record<string, number>;
  /** The library's own count of the calls refused at its limit (stats). */
  triplesRefused: number;
}

afterEach(cleanup);

it.each([20_000, 200_000])('a process registering %i distinct triples holds exactly those whose calls succeeded', async (count) => {
  // Every limit at its default (the default interval too: the sender announces its own).
  const notifier = await startNotifier({ heartbeatMs: DEFAULTS.heartbeatMs });
  const options = JSON.stringify({ endpoint: notifier.endpoint, heartbeatMs: INTERVAL_MS, queueLimit: 2 * LIBRARY_LIMITS.maxTriples });
  const sender = spawnProcess(process.execPath, [REGISTER_MANY, options, String(count)], { label: `register-many ${count}` });
  const report = JSON.parse((await sender.waitForOutput(/^(\{"pid".*)$/m, 60_000))[1] ?? '') as Report;

  // The first MAPISTORE_MGMT_MAX_TRIPLES calls succeed; every later one is refused at the call.
  expect(report.succeeded).toEqual(Array.from({ length: LIBRARY_LIMITS.maxTriples }, (_, i) => i));
  expect(report.refused).toEqual({ MAPISTORE_MGMT_ERR_LIMIT: count - LIBRARY_LIMITS.maxTriples });
  expect(report.triplesRefused).toBe(count - LIBRARY_LIMITS.maxTriples);
  const expected: UserEntry[] = report.succeeded.map((i) => ({ backend: 'SOGo', username: `user${i}`, vuser: `user${i}`, count: 1 }));
  await notifier.waitForUsers(expected, { timeoutMs: 30_000 });

  // From now on nothing may change: no repair, rejection or expiry while heartbeats go on.
  const before = await notifier.status();
  const heartbeats = (s: typeof before): number => s.counters.messages.heartbeat?.applied ?? 0;
  const after = await notifier.waitFor(
    `${HEARTBEATS_WATCHED} more heartbeats`,
    async (n) => {
      const s = await n.status();
      return heartbeats(s) >= heartbeats(before) + HEARTBEATS_WATCHED && s;
    },
    { timeoutMs: 30_000 },
  );
  expect(after.counters.repairs).toBe(before.counters.repairs);
  expect(after.counters.rejections).toEqual(before.counters.rejections);
  expect(after.counters.rejections['too-many-registrations'] ?? 0).toBe(0);
  expect(after.counters.rejections.oversized ?? 0).toBe(0);
  expect(after.counters.expirations).toBe(0);
  expect(await notifier.sources()).toMatchObject([{ pid: report.pid, epoch: report.epoch, intervalMs: INTERVAL_MS, registrations: LIBRARY_LIMITS.maxTriples, triples: LIBRARY_LIMITS.maxTriples }]);
  await notifier.waitForUsers(expected);
  expect(sender.running).toBe(true);
}, 120_000);

it('a notifier whose limit an operator set below the library\'s refuses and counts the excess, and never expires the live source for it', async () => {
  const notifier = await startNotifier({ heartbeatMs: DEFAULTS.heartbeatMs, args: ['--max-registrations-per-source', '2'] });
  const steps = ['register u1 SOGo u1', 'register u2 SOGo u2', 'register u3 SOGo u3', 'hold'];
  const sender = spawnSender(steps, { endpoint: notifier.endpoint, heartbeatMs: INTERVAL_MS });
  // The third register, then every heartbeat (three triples), is refused: each renews the lease.
  const status = await notifier.waitFor(
    `the register and ${HEARTBEATS_WATCHED} heartbeats refused`,
    async (n) => {
      const s = await n.status();
      return (s.counters.rejections['too-many-registrations'] ?? 0) >= 1 + HEARTBEATS_WATCHED && s;
    },
    { timeoutMs: 30_000 },
  );
  expect(status.counters.expirations).toBe(0);
  expect(await notifier.sources()).toMatchObject([{ pid: sender.pid, intervalMs: INTERVAL_MS, triples: 2 }]);
  expect((await notifier.users()).map((user) => user.username)).toEqual(['u1', 'u2']);
  expect(notifier.logs().some((line) => line.msg === 'rejected a message' && line.reason === 'too-many-registrations')).toBe(true);
});
