// SPDX-License-Identifier: GPL-3.0-or-later
// A sender that ran while the notifier was absent: its queue overflowed (drops counted by the
// library), and its first heartbeat after the notifier starts repairs the table.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, spawnSender } from '../support/processes.js';
import { waitForHolding } from '../support/senders.js';
import { makeTempDir } from '../support/temp.js';

afterEach(cleanup);

const CALLS = 1500; // more than ZeroMQ's send high-water mark (1000) plus the library's queue

describe('a sender started before the notifier', () => {
  it('drops what does not fit, reports it, and its heartbeat repairs the table', async () => {
    const endpoint = `ipc://${join(makeTempDir(), 'notify.sock')}`;
    const steps = [
      ...Array<string>(CALLS).fill('register jdoe SOGo jdoe'),
      ...Array<string>(CALLS - 1).fill('unregister jdoe SOGo jdoe'),
      'stats',
      'hold',
    ];
    const sender = spawnSender(steps, { endpoint, heartbeatMs: 200, queueLimit: 16 });
    await waitForHolding(sender);
    const stats = JSON.parse(sender.stdout.match(/^stats (\{.*\})$/m)?.[1] ?? '{}') as { messages_dropped: number };
    expect(stats.messages_dropped).toBeGreaterThan(0);

    const notifier = await startNotifier({ endpoint });
    // What ZeroMQ had queued arrives first (registers only); the next snapshot says "count 1".
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
    const status = await notifier.waitFor('the drops reported', async (n) => {
      const s = await n.status();
      return BigInt(s.counters.senderDrops) > 0n && s;
    });
    expect(status.counters.repairs).toBeGreaterThan(0);
    expect(status.counters.gaps).toBe('0'); // refused messages never took a sequence number
    expect(Number(status.counters.senderDrops)).toBeGreaterThanOrEqual(stats.messages_dropped);
  });
});
