// SPDX-License-Identifier: GPL-3.0-or-later
// Every source's lease is known from its first message: a process that dies without a goodbye
// goes after three of its own intervals, not after the notifier's default lease (15 s here),
// however soon it dies. Speed is not asserted: each test checks, from the notifier's own view
// and its expiry log, that the lease used was the one the source declared.
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { SourceView } from '../../src/server/api-types.js';
import { DEFAULTS } from '../../src/server/defaults.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, REPO_ROOT, spawnProcess, spawnSender } from '../support/processes.js';

const FORK_STORM = join(REPO_ROOT, 'build', 'bin', 'fork-storm');
const CHILDREN = 20;
/** A hang guard only, far beyond any lease here: waits end on the event they mean. */
const HANG_GUARD_MS = 60_000;

afterEach(cleanup);

/** The notifier's default interval for a source whose own it does not know: its real default. */
function startWithDefaults(): Promise<RunningNotifier> {
  return startNotifier({ heartbeatMs: DEFAULTS.heartbeatMs });
}

/** The expiry log lines of the notifier so far, by source key. */
function expiries(notifier: RunningNotifier): Map<string, Record<string, unknown>> {
  const lines = notifier.logs().filter((line) => line.msg === 'expired a silent source');
  return new Map(lines.map((line) => [String(line.source), line]));
}

it('a fork storm with 200 ms heartbeats: children that _exit without a goodbye go by their own lease, the parent stays', async () => {
  const notifier = await startWithDefaults();
  const env = { MAPISTORE_MGMT_ENDPOINT: notifier.endpoint, MAPISTORE_MGMT_HEARTBEAT_MS: '200' };
  const storm = spawnProcess(FORK_STORM, ['storm', String(CHILDREN)], { env, label: 'fork-storm' });
  const parentPid = Number((await storm.waitForOutput(/^parent (\d+) ready$/m))[1]);

  // Each source is listed with its own interval from the moment it is listed at all.
  const firstSeen = new Map<number, SourceView>();
  await notifier.waitFor(
    `${CHILDREN + 1} sources, each with its registration`,
    async (n) => {
      const sources = await n.sources();
      for (const source of sources) if (!firstSeen.has(source.pid)) firstSeen.set(source.pid, source);
      return sources.length === CHILDREN + 1 && sources.every((source) => source.registrations === 1);
    },
    { timeoutMs: HANG_GUARD_MS, intervalMs: 5 },
  );
  expect(firstSeen.size).toBe(CHILDREN + 1);
  for (const source of firstSeen.values()) expect(source).toMatchObject({ intervalMs: 200, leaseMs: 600 });
  const children = (await notifier.sources()).filter((source) => source.pid !== parentPid);
  expect(children).toHaveLength(CHILDREN);
  const before = await notifier.status();

  storm.signal('SIGUSR1');
  await storm.waitForOutput(/^children gone$/m, HANG_GUARD_MS);
  const remaining = await notifier.waitFor(
    'only the parent',
    async (n) => {
      const sources = await n.sources();
      return sources.length === 1 && sources;
    },
    { timeoutMs: HANG_GUARD_MS },
  );
  expect(remaining).toMatchObject([{ pid: parentPid, registrations: 1 }]);
  expect(await notifier.users()).toEqual([{ backend: 'SOGo', username: 'storm', vuser: 'storm', count: 1 }]);

  // Every child expired (no goodbye), each by the 3 x 200 ms lease it declared.
  const after = await notifier.status();
  expect(after.counters.expirations - before.counters.expirations).toBe(CHILDREN);
  expect(after.counters.messages.goodbye?.applied ?? 0).toBe(before.counters.messages.goodbye?.applied ?? 0);
  const logged = await notifier.waitFor('every expiry logged', () => {
    const lines = expiries(notifier);
    return children.every((child) => lines.has(child.key)) && lines;
  });
  for (const child of children) expect(logged.get(child.key)).toMatchObject({ intervalMs: 200, leaseMs: 600, registrations: 1 });
  expect(storm.running).toBe(true);
}, 2 * HANG_GUARD_MS);

it('a process killed as soon as it is listed after its first register goes by its own 400 ms interval', async () => {
  const notifier = await startWithDefaults();
  const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 400 });
  // Killed as soon as the notifier lists it: its lease is already its own, not 15 s.
  const first = await notifier.waitFor('the sender listed', async (n) => (await n.sources()).find((source) => source.pid === sender.pid), {
    timeoutMs: HANG_GUARD_MS,
    intervalMs: 5,
  });
  expect((await sender.kill9()).signal).toBe('SIGKILL');
  expect(first).toMatchObject({ intervalMs: 400, leaseMs: 1200 });

  await notifier.waitFor('the source gone', async (n) => !(await n.sources()).some((source) => source.pid === sender.pid), { timeoutMs: HANG_GUARD_MS });
  const line = await notifier.waitFor('its expiry logged', () => expiries(notifier).get(first.key));
  expect(line).toMatchObject({ intervalMs: 400, leaseMs: 1200 });
  expect((await notifier.status()).counters.expirations).toBe(1);
  expect(await notifier.users()).toEqual([]);
}, 2 * HANG_GUARD_MS);
