// SPDX-License-Identifier: GPL-3.0-or-later
// Resync on connect: real C senders (mapistore-mgmt-send) send their whole set as soon as their
// connection to the notifier is made again, so a notifier killed with kill -9 and restarted on
// an empty state directory has every sender's exact set again at once. The senders' heartbeat
// interval is 100 s (the library's maximum): nothing but the resync explains what is seen here.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserEntry } from '../../src/server/api-types.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli, spawnSender, type TestProcess } from '../support/processes.js';
import { senderKey, waitForHolding } from '../support/senders.js';
import { makeTempDir } from '../support/temp.js';

afterEach(cleanup);

const NO_HEARTBEAT_MS = 100_000;
const user = (name: string, count = 1): UserEntry => ({ backend: 'SOGo', username: name, vuser: name, count });

/** kill -9, the state directory removed, started again: the notifier knows nobody. */
async function crashAndLoseState(notifier: RunningNotifier): Promise<void> {
  await notifier.kill9();
  rmSync(notifier.stateDir, { recursive: true, force: true });
  await notifier.start();
}

/** The one source the notifier holds is `sender`'s, at `seq`, heard since the restart. */
async function expectSource(notifier: RunningNotifier, sender: TestProcess, seq: number): Promise<void> {
  const sources = await notifier.sources();
  expect(sources).toHaveLength(1);
  expect(sources[0]).toMatchObject({ key: await senderKey(sender), lastSeq: String(seq), intervalMs: NO_HEARTBEAT_MS, restored: false });
  expect((await notifier.status()).counters.gaps).toBe('0');
}

describe('resync on connect', () => {
  it("a notifier killed -9 and restarted without its state shows the sender's exact set again", async () => {
    const notifier = await startNotifier();
    const sender = spawnSender(['register jdoe SOGo jdoe', 'register jdoe SOGo jdoe', 'register ann SOGo ann', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: NO_HEARTBEAT_MS });
    await waitForHolding(sender);
    const set = [user('jdoe', 2), user('ann')];
    await notifier.waitForUsers(set);

    await crashAndLoseState(notifier);
    await notifier.waitForUsers(set);
    // The announcement (1), the three calls (2-4), then the resync heartbeat: nothing skipped.
    await expectSource(notifier, sender, 5);
    expect((await notifier.status()).counters.messages.heartbeat?.applied).toBe(1);
  });

  it('does so across several restarts, with the set changed while the notifier was down', async () => {
    const notifier = await startNotifier();
    const steps = [
      'register jdoe SOGo jdoe', 'register ann SOGo ann', 'hold',
      'unregister ann SOGo ann', 'register bob SOGo bob', 'hold',
      'register ann SOGo ann', 'register jdoe SOGo jdoe', 'hold',
      'unregister bob SOGo bob', 'hold',
    ];
    const sets = [
      [user('jdoe'), user('ann')],
      [user('jdoe'), user('bob')],
      [user('jdoe', 2), user('bob'), user('ann')],
      [user('jdoe', 2), user('ann')],
    ];
    const callsBefore = [2, 4, 6, 7]; // calls made when each set is held
    const sender = spawnSender(steps, { endpoint: notifier.endpoint, heartbeatMs: NO_HEARTBEAT_MS });
    await waitForHolding(sender);
    await notifier.waitForUsers(sets[0] ?? []);

    for (let restart = 1; restart < sets.length; restart++) {
      await notifier.kill9();
      sender.signal('SIGTERM'); // the sender's next calls, made while nobody listens
      await waitForHolding(sender, restart + 1);
      rmSync(notifier.stateDir, { recursive: true, force: true });
      await notifier.start();
      await notifier.waitForUsers(sets[restart] ?? []);
      // The announcement, every call, and one resync heartbeat per restart so far.
      await expectSource(notifier, sender, 1 + (callsBefore[restart] ?? 0) + restart);
    }
  });

  it('a sender started before any notifier exists delivers its exact set when the notifier appears', async () => {
    const CALLS = 1500; // more than ZeroMQ's send high-water mark (1000) and the library's queue
    const endpoint = `ipc://${join(makeTempDir(), 'notify.sock')}`;
    const steps = [...Array<string>(CALLS).fill('register jdoe SOGo jdoe'), ...Array<string>(CALLS - 1).fill('unregister jdoe SOGo jdoe'), 'stats', 'hold'];
    const sender = spawnSender(steps, { endpoint, heartbeatMs: NO_HEARTBEAT_MS, queueLimit: 16 });
    await waitForHolding(sender);
    const stats = JSON.parse(sender.stdout.match(/^stats (\{.*\})$/m)?.[1] ?? '{}') as { messages_dropped: number; connections: number };
    expect(stats.messages_dropped).toBeGreaterThan(0);
    expect(stats.connections).toBe(0);

    // What ZeroMQ had queued (the announcement, then registers only) arrives first, then the
    // snapshot: count 1.
    const notifier = await startNotifier({ endpoint });
    const status = await notifier.waitFor('the snapshot', async (n) => {
      const s = await n.status();
      return s.counters.messages.heartbeat?.applied === 2 && s;
    });
    expect(await notifier.users()).toEqual([user('jdoe')]);
    expect(Number(status.counters.senderDrops)).toBe(stats.messages_dropped);
  });

  it('over tcp with CURVE, once the handshake has succeeded', async () => {
    const keys = makeTempDir();
    const allowed = join(keys, 'allowed');
    mkdirSync(allowed);
    for (const [dir, name] of [[keys, 'server'], [allowed, 'backend']] as const) {
      const result = await runCli(['keygen', join(dir, name)]);
      expect(result.code, result.stderr).toBe(0);
    }
    const notifier = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--curve-secret-key-file', join(keys, 'server.key'), '--curve-allow', allowed] });
    const env = { MAPISTORE_MGMT_CURVE_SERVER_KEY_FILE: join(keys, 'server.pub'), MAPISTORE_MGMT_CURVE_SECRET_KEY_FILE: join(allowed, 'backend.key') };
    const sender = spawnSender(['register jdoe SOGo jdoe', 'register ann SOGo ann', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: NO_HEARTBEAT_MS, env });
    await waitForHolding(sender);
    await notifier.waitForUsers([user('jdoe'), user('ann')]);

    await crashAndLoseState(notifier);
    await notifier.waitForUsers([user('jdoe'), user('ann')]);
    await expectSource(notifier, sender, 4);
  });
});
