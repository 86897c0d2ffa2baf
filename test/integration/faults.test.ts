// SPDX-License-Identifier: GPL-3.0-or-later
// Crashes and restarts: leases remove killed senders, heartbeats and the state file rebuild
// the notifier's table.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, spawnSender } from '../support/processes.js';
import { senderKey, waitForHolding } from '../support/senders.js';
import { waitFor } from '../support/wait.js';

afterEach(cleanup);

const HEARTBEAT_MS = 200;
const jdoe = { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 };
const ann = { backend: 'SOGo', username: 'ann', vuser: 'ann', count: 1 };

describe('faults', () => {
  it('a sender killed with kill -9 disappears when its lease runs out', async () => {
    // A lease of many intervals: a notifier stalled on a loaded machine must not expire the
    // survivor too (its heartbeats wait unread while the expiry timer runs first).
    const LEASE_MULTIPLIER = 10;
    const notifier = await startNotifier({ args: ['--min-lease-ms', '100', '--lease-multiplier', String(LEASE_MULTIPLIER)] });
    const options = { endpoint: notifier.endpoint, heartbeatMs: HEARTBEAT_MS };
    const killed = spawnSender(['register jdoe SOGo jdoe', 'hold'], options);
    const survivor = spawnSender(['register ann SOGo ann', 'hold'], options);
    await Promise.all([waitForHolding(killed), waitForHolding(survivor)]);
    const killedKey = await senderKey(killed);
    await notifier.waitForUsers([ann, jdoe]);
    const source = (await notifier.sources()).find((s) => s.key === killedKey);
    expect(source).toMatchObject({ intervalMs: HEARTBEAT_MS, leaseMs: LEASE_MULTIPLIER * HEARTBEAT_MS });

    await killed.kill9();
    // Lease 2 s; the bound only keeps a broken build from hanging the suite.
    await notifier.waitForUsers([ann]);
    expect((await notifier.sources()).map((s) => s.key)).toEqual([await senderKey(survivor)]);
    expect((await notifier.status()).counters.expirations).toBe(1);
    expect(notifier.logs().some((line) => line.msg === 'expired a silent source' && line.source === killedKey)).toBe(true);
  });

  it('a notifier paused for longer than a lease expires none of the senders that kept sending', async () => {
    const notifier = await startNotifier({ args: ['--min-lease-ms', '2000'] });
    const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: HEARTBEAT_MS });
    await waitForHolding(sender);
    await notifier.waitForUsers([jdoe]);
    const [before] = await notifier.sources();
    const deadline = Date.parse(before?.expiresAt ?? '');

    // Stopped past the lease: the sender's heartbeats wait unread in the socket meanwhile.
    notifier.process.signal('SIGSTOP');
    await waitFor('the lease to pass', () => Date.now() > deadline + 2 * HEARTBEAT_MS, { timeoutMs: 20_000 });
    notifier.process.signal('SIGCONT');

    await notifier.waitFor('fresh heartbeats read', async (n) => BigInt((await n.sources())[0]?.lastSeq ?? 0) >= BigInt(before?.lastSeq ?? 0) + 5n);
    expect((await notifier.status()).counters.expirations).toBe(0);
    expect(notifier.logs().some((line) => line.msg === 'expired a silent source')).toBe(false);
  });

  it('a notifier killed with kill -9 and restarted is right again within about one heartbeat', async () => {
    const notifier = await startNotifier({ args: ['--min-lease-ms', '100'] });
    const options = { endpoint: notifier.endpoint, heartbeatMs: HEARTBEAT_MS };
    const live = spawnSender(['register jdoe SOGo jdoe', 'hold'], options);
    const doomed = spawnSender(['register ann SOGo ann', 'hold'], options);
    await Promise.all([waitForHolding(live), waitForHolding(doomed)]);
    await notifier.waitForUsers([ann, jdoe]);
    // Both are in the periodically saved state before the crash.
    const saved = join(notifier.stateDir, 'table.json');
    await notifier.waitFor('both saved', () => {
      const text = existsSync(saved) ? readFileSync(saved, 'utf8') : '';
      return text.includes('"jdoe"') && text.includes('"ann"');
    });

    await notifier.kill9();
    await doomed.kill9(); // dies while the notifier is down: nobody hears it go
    await notifier.restart();

    // The live sender's heartbeat confirms it; the dead one's restored lease runs out.
    await notifier.waitForUsers([jdoe]);
    await notifier.waitFor('the live source confirmed by a heartbeat', async (n) => {
      const sources = await n.sources();
      return sources.length === 1 && sources[0]?.key === (await senderKey(live)) && !sources[0].restored;
    });
  });

  it('a notifier restarted without its state rebuilds the table from heartbeats', async () => {
    const notifier = await startNotifier();
    const live = spawnSender(['register jdoe SOGo jdoe', 'register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: HEARTBEAT_MS });
    await waitForHolding(live);
    await notifier.waitForUsers([{ ...jdoe, count: 2 }]);

    await notifier.kill9();
    rmSync(join(notifier.stateDir, 'table.json'), { force: true });
    await notifier.restart();
    await notifier.waitForUsers([{ ...jdoe, count: 2 }]);
    expect((await notifier.status()).counters.messages.heartbeat?.applied).toBeGreaterThan(0);
  });

  it('a graceful restart keeps the table at once, before any heartbeat', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000 });
    const sender = spawnSender(['register jdoe SOGo jdoe', 'register ann SOGo ann', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 60_000 });
    await waitForHolding(sender);
    await notifier.waitForUsers([ann, jdoe]);

    expect(await notifier.stop()).toEqual({ code: 0, signal: null });
    // Stopped, the sender cannot reconnect and resync: the table can only come from the file.
    sender.signal('SIGSTOP');
    await notifier.restart();
    expect(await notifier.users()).toEqual([ann, jdoe]);
    const [source] = await notifier.sources();
    expect(source).toMatchObject({ key: await senderKey(sender), restored: true, registrations: 2 });
    expect((await notifier.status()).counters.messages).toEqual({});
    // Let go, it reconnects and its resync heartbeat confirms the restored source.
    sender.signal('SIGCONT');
    await notifier.waitFor('the source confirmed', async (n) => (await n.sources())[0]?.restored === false);
    expect(await notifier.users()).toEqual([ann, jdoe]);
  });
});
