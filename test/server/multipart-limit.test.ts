// SPDX-License-Identifier: GPL-3.0-or-later
// A multipart message whose frames each fit --max-frame-bytes but which together exceed the
// largest heartbeat --max-registrations-per-source allows: refused as oversized before its frames
// are joined, over a real PUSH socket; the sender's other messages still count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Push } from 'zeromq';
import { largestHeartbeatBytes } from '../../src/protocol/decode.js';
import type { Message } from '../../src/protocol/types.js';
import { encodeMessage } from '../support/frames.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup } from '../support/processes.js';
import { closePushSockets, command, connectPush } from '../support/push.js';
import { waitFor } from '../support/wait.js';

const MAX_FRAME_BYTES = 65_536;
const MAX_PER_SOURCE = 100;
const source = { host: 'big.example.org', pid: 11, epoch: '00000000000000bb' };
const longest = (prefix: string): string => prefix.padEnd(255, '.');

/** A heartbeat of `entries` entries of the longest strings. */
function longestHeartbeat(seq: bigint, entries: number): Message {
  const entry = (i: number) => ({ ...command(longest('SOGo'), longest(`user${i}`), longest('shared')), count: 1 });
  return { kind: 'heartbeat', source: { ...source, host: longest('big.example.org') }, seq, intervalMs: 60_000, dropped: 0n, entries: Array.from({ length: entries }, (_, i) => entry(i)) };
}

/** The reasons that happened. */
function counted(rejections: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(rejections).filter(([, count]) => count > 0));
}

describe('a multipart message larger than the largest heartbeat', () => {
  let notifier: RunningNotifier;
  let push: Push;

  beforeAll(async () => {
    notifier = await startNotifier({
      heartbeatMs: 60_000,
      args: ['--max-frame-bytes', String(MAX_FRAME_BYTES), '--max-registrations-per-source', String(MAX_PER_SOURCE)],
    });
    push = connectPush(notifier.endpoint);
  });

  afterAll(async () => {
    closePushSockets();
    await cleanup();
  });

  it('is rejected as oversized, counted and logged with its total, and changes nothing', async () => {
    const limit = largestHeartbeatBytes(MAX_PER_SOURCE);
    const big = encodeMessage(longestHeartbeat(2n, MAX_PER_SOURCE + 1));
    expect(big.length).toBeGreaterThan(limit);
    expect(limit).toBeGreaterThan(MAX_FRAME_BYTES);
    const bigSource = { ...source, host: longest('big.example.org') };
    await push.send(encodeMessage({ kind: 'register', source: bigSource, seq: 1n, command: command('SOGo', 'jdoe', 'jdoe') }));
    // Every frame within --max-frame-bytes; only their sum is too much.
    await push.send([big.subarray(0, MAX_FRAME_BYTES), big.subarray(MAX_FRAME_BYTES)]);
    await push.send(encodeMessage({ kind: 'register', source: bigSource, seq: 3n, command: command('SOGo', 'amy', 'amy') }));

    // The later register applied: every message before it was handled.
    await notifier.waitForUsers([
      { backend: 'SOGo', username: 'amy', vuser: 'amy', count: 1 },
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 },
    ]);
    const status = await notifier.status();
    expect(counted(status.counters.rejections)).toEqual({ oversized: 1 });
    expect(status.counters.messages.invalid?.rejected).toBe(1);
    expect(status.counters.messages.register?.applied).toBe(2);
    expect((await notifier.sources()).map((s) => [s.triples, s.lastSeq])).toEqual([[2, '3']]);
    expect(await notifier.metrics()).toContain('mapistore_mgmt_rejections_total{reason="oversized"} 1');

    const logged = () => notifier.logs().filter((line) => line.msg === 'rejected a message' && line.reason === 'oversized');
    await waitFor('the oversized line', () => logged().length > 0);
    expect(logged()[0]?.detail).toBe(
      `2 frames of ${big.length} bytes in all, limit ${limit} (the larger of one frame and the largest heartbeat of ${MAX_PER_SOURCE} entries)`,
    );
    expect(notifier.process.running).toBe(true);
  });

  it('takes a heartbeat exactly at the limit, in frames', async () => {
    const whole = encodeMessage(longestHeartbeat(4n, MAX_PER_SOURCE));
    expect(whole.length).toBe(largestHeartbeatBytes(MAX_PER_SOURCE));
    await push.send([whole.subarray(0, MAX_FRAME_BYTES), whole.subarray(MAX_FRAME_BYTES)]);
    await notifier.waitFor('the heartbeat applied', async (n) => (await n.status()).counters.messages.heartbeat?.applied === 1);
    expect((await notifier.sources()).map((s) => s.triples)).toEqual([MAX_PER_SOURCE]);
    expect(counted((await notifier.status()).counters.rejections)).toEqual({ oversized: 1 });
  });
});
