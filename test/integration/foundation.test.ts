// SPDX-License-Identifier: GPL-3.0-or-later
// Foundation: the real C tool registers through the real library into the real notifier, and
// the real CLI reads the table.
import { afterEach, describe, expect, it } from 'vitest';
import type { UserEntry } from '../../src/server/api-types.js';
import { startNotifier } from '../support/notifier.js';
import { cleanup, runCli, spawnSender } from '../support/processes.js';
import { senderKey, waitForHolding } from '../support/senders.js';
import { waitFor } from '../support/wait.js';

afterEach(cleanup);

describe('a C sender and the notifier', () => {
  it('register twice, unregister once -> count 1; unregister again -> gone', async () => {
    const notifier = await startNotifier();
    const sender = spawnSender(
      ['register jdoe SOGo jdoe', 'register jdoe SOGo jdoe', 'unregister jdoe SOGo jdoe', 'hold', 'unregister jdoe SOGo jdoe', 'hold'],
      { endpoint: notifier.endpoint, heartbeatMs: 200 },
    );
    await waitForHolding(sender);
    expect(sender.stdout).toContain('register jdoe SOGo jdoe -> MAPISTORE_SUCCESS');

    const usersJson = async () => {
      const result = await runCli(['users', '--json', '--http', notifier.httpUrl]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as UserEntry[];
    };
    const expected = [{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }];
    await waitFor('the CLI to show count 1', async () => JSON.stringify(await usersJson()) === JSON.stringify(expected));
    const [source] = await notifier.sources();
    expect(source?.key).toBe(await senderKey(sender));

    sender.signal('SIGTERM'); // on to the second unregister
    await waitForHolding(sender, 2);
    await waitFor('the CLI to show no users', async () => (await usersJson()).length === 0);

    sender.signal('SIGTERM');
    expect(await sender.exited).toEqual({ code: 0, signal: null });
    // The goodbye (or, if ipc lost it, the lease) removes the source itself.
    await notifier.waitFor('the source to go', async (n) => (await n.sources()).length === 0);
    const status = await notifier.status();
    expect(status.counters.messages.register?.applied).toBe(2);
    expect(status.counters.messages.unregister?.applied).toBe(2);
    expect(status.counters.rejections).toEqual(Object.fromEntries(Object.keys(status.counters.rejections).map((k) => [k, 0])));
  });

  it('works over plain tcp on loopback too, when asked (port 0 resolved, logged and served in status)', async () => {
    const notifier = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--insecure-plain-tcp'] });
    expect(notifier.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect((await notifier.status()).endpoint).toBe(notifier.endpoint);
    const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 200 });
    await waitForHolding(sender);
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
  });
});
