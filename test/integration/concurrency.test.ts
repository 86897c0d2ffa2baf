// SPDX-License-Identifier: GPL-3.0-or-later
// 200 concurrent C sender processes registering and unregistering end with the exact table.
import { afterEach, describe, expect, it } from 'vitest';
import type { UserEntry } from '../../src/server/api-types.js';
import { sortUsers, startNotifier } from '../support/notifier.js';
import { cleanup, spawnSender, type TestProcess } from '../support/processes.js';
import { waitForHolding } from '../support/senders.js';

afterEach(cleanup);

const SENDERS = 200;
/** Started together, then waited for, so that the 2-core machine copes. */
const BATCH = 25;

/**
 * Odd senders keep one registration of their own user plus one of the shared mailbox, and hold;
 * even senders register and unregister the same and exit.
 */
function steps(i: number): string[] {
  const own = `user${i} SOGo box${i % 10}`;
  const shared = `user${i} SOGo shared`;
  if (i % 2 === 0) return [`register ${own}`, `register ${shared}`, `unregister ${own}`, `unregister ${shared}`];
  return [`register ${own}`, `register ${own}`, `register ${shared}`, `unregister ${own}`, 'hold'];
}

function expectedTable(): UserEntry[] {
  const rows: UserEntry[] = [];
  for (let i = 1; i < SENDERS; i += 2) {
    rows.push({ backend: 'SOGo', username: `user${i}`, vuser: `box${i % 10}`, count: 1 });
    rows.push({ backend: 'SOGo', username: `user${i}`, vuser: 'shared', count: 1 });
  }
  return sortUsers(rows);
}

describe('200 concurrent senders', () => {
  it('end with the exact expected table, and an empty one once they all stop', async () => {
    const notifier = await startNotifier({ heartbeatMs: 1_000 });
    const holders: TestProcess[] = [];
    for (let first = 0; first < SENDERS; first += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => first + k).map((i) => ({
        i,
        sender: spawnSender(steps(i), { endpoint: notifier.endpoint, heartbeatMs: 1_000 }),
      }));
      await Promise.all(
        batch.map(async ({ i, sender }) => {
          if (i % 2 === 1) {
            await waitForHolding(sender, 1);
            holders.push(sender);
          } else {
            expect(await sender.exited, sender.stdout + sender.stderr).toEqual({ code: 0, signal: null });
          }
        }),
      );
    }

    const expected = expectedTable();
    // Exiting senders' last messages can be lost over ipc (libzmq #4660); their leases then
    // clean up, so the bound covers a lease (3 s) and the heartbeats of the holders.
    await notifier.waitForUsers(expected, { timeoutMs: 20_000 });
    expect(await notifier.registeredUsers('SOGo', 'shared')).toMatchObject({ usernames: expected.filter((u) => u.vuser === 'shared').map((u) => u.username).sort() });
    await notifier.waitFor('only the holders as sources', async (n) => (await n.status()).sizes.sources === SENDERS / 2);

    for (const holder of holders) holder.signal('SIGTERM');
    const exits = await Promise.all(holders.map((holder) => holder.exited));
    expect(exits.every((exit) => exit.code === 0)).toBe(true);
    await notifier.waitForUsers([], { timeoutMs: 20_000 });
    const status = await notifier.status();
    expect(status.sizes).toEqual({ sources: 0, users: 0, registrations: 0 });
    expect(Object.values(status.counters.rejections).every((count) => count === 0)).toBe(true);
  });
});
