// SPDX-License-Identifier: GPL-3.0-or-later
// What an allowed sender cannot do to another's sources (docs/security.md), against a real
// notifier with real C senders and zeromq.js peers: empty sources that fill --max-sources go
// --empty-lease-ms after the flood stops; a sequence jump no sender can make is refused; with
// --ipc-check-pids a message must claim the pid of a connected peer, and a pid holds at most
// --max-sources-per-pid sources.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Message, SourceId } from '../../src/protocol/types.js';
import { encodeMessage } from '../support/frames.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli, spawnSender } from '../support/processes.js';
import { closePushSockets, connectPush } from '../support/push.js';
import { senderKey } from '../support/senders.js';

afterEach(closePushSockets);
afterAll(cleanup);

const JDOE = { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 };
const MAX_SEQ = 2n ** 64n - 1n;
const HOUR_MS = 3_600_000;

function emptyHeartbeat(source: SourceId, seq = 1n, intervalMs = HOUR_MS): Uint8Array {
  return encodeMessage({ kind: 'heartbeat', source, seq, intervalMs, dropped: 0n, entries: [] } satisfies Message);
}

function epoch(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** The value of a metric line (`name{labels}` or `name`) in the notifier's exposition, 0 if absent. */
async function metric(notifier: RunningNotifier, series: string): Promise<number> {
  const line = (await notifier.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('empty sources', () => {
  it('that fill --max-sources lock a new backend out only until --empty-lease-ms after the flood stops', async () => {
    const notifier = await startNotifier({ args: ['--empty-lease-ms', '2000'] });
    const flood = connectPush(notifier.endpoint);
    // The attack of issue #11: 10,000 empty heartbeats, each announcing an hour's interval.
    for (let n = 1; n <= 10_000; n++) await flood.send(emptyHeartbeat({ host: 'forged', pid: n, epoch: epoch(n) }));
    await notifier.waitFor('10,000 empty sources', async (n) => (await metric(n, 'mapistore_mgmt_empty_sources')) === 10_000);

    const backend = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 200 });
    await notifier.waitFor('the new backend refused', async (n) => (await n.status()).counters.rejections['too-many-sources']! > 0);
    // Its heartbeats get it in once the flood's sources have gone, with what it holds.
    await notifier.waitForUsers([JDOE]);
    await notifier.waitFor('every flooded source expired', async (n) => (await metric(n, 'mapistore_mgmt_empty_expirations_total')) === 10_000);
    expect(await metric(notifier, 'mapistore_mgmt_empty_sources')).toBe(0);
    expect((await notifier.sources()).map((s) => s.key)).toEqual([await senderKey(backend)]);
    await backend.stop();
    await notifier.stop();
  });
});

describe('sequence jumps', () => {
  it("to 2^64-1 on a real sender's source are refused as implausible-sequence; the sender keeps its source", async () => {
    const notifier = await startNotifier();
    const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 100 });
    const [host, pid, hexEpoch] = (await senderKey(sender)).split('/') as [string, string, string];
    await notifier.waitForUsers([JDOE]);

    // The hijack of issue #11: the source's key, seq 2^64-1, an hour's interval, an empty set.
    await connectPush(notifier.endpoint).send(emptyHeartbeat({ host, pid: Number(pid), epoch: hexEpoch }, MAX_SEQ));
    await notifier.waitFor('the jump refused', async (n) => (await n.status()).counters.rejections['implausible-sequence'] === 1);
    const applied = (await notifier.status()).counters.messages.heartbeat?.applied ?? 0;
    await notifier.waitFor("the real sender's next heartbeat taken", async (n) => ((await n.status()).counters.messages.heartbeat?.applied ?? 0) > applied);
    expect(await notifier.users()).toEqual([JDOE]);
    const counters = (await notifier.status()).counters;
    expect(counters.rejections['stale-sequence']).toBe(0);
    expect(notifier.logs().some((line) => line.msg === 'rejected a message' && line.reason === 'implausible-sequence')).toBe(true);
    await sender.stop();
    await notifier.stop();
  });
});

describe('--ipc-check-pids', () => {
  it("admits a real sender's messages; refuses a pid no peer has, and sources beyond --max-sources-per-pid", async () => {
    const notifier = await startNotifier({ args: ['--ipc-check-pids', '--max-sources-per-pid', '2'] });
    const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint });
    await notifier.waitForUsers([JDOE]);

    const peer = connectPush(notifier.endpoint);
    // A pid above any pid_max: no process has it, so no peer was admitted with it.
    await peer.send(emptyHeartbeat({ host: 'forged', pid: 0x7fff_fffe, epoch: epoch(1) }));
    await notifier.waitFor('the forged pid refused', async (n) => (await n.status()).counters.rejections['unadmitted-pid'] === 1);
    // Its own pid (this process: the kernel's credentials of the peer), with three epochs.
    for (let n = 1; n <= 3; n++) await peer.send(emptyHeartbeat({ host: 'any', pid: process.pid, epoch: epoch(n) }));
    await notifier.waitFor('the third source of the pid refused', async (n) => (await n.status()).counters.rejections['too-many-sources-for-pid'] === 1);
    const pids = (await notifier.sources()).map((s) => s.pid);
    expect(pids.filter((p) => p === process.pid)).toHaveLength(2);
    expect(pids).toContain(sender.pid);
    expect(await notifier.users()).toEqual([JDOE]);
    await sender.stop();
    await notifier.stop();
  });

  it('is refused for a tcp endpoint (exit 2)', async () => {
    const result = await runCli(['serve', '--endpoint', 'tcp://127.0.0.1:0', '--insecure-plain-tcp', '--ipc-check-pids']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--ipc-check-pids needs an ipc:// --endpoint');
  });
});
