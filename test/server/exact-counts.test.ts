// SPDX-License-Identifier: GPL-3.0-or-later
// The gap and drop totals stay exact integers through the real notifier: a sequence jump near
// 2^64 and a sender's drop total that goes down, seen in /metrics, /v1/status and /v1/sources.
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, SourceId } from '../../src/protocol/types.js';
import { startNotifier } from '../support/notifier.js';
import { cleanup } from '../support/processes.js';
import { closePushSockets, command, connectPush } from '../support/push.js';
import { encodeMessage } from '../support/frames.js';

afterEach(async () => {
  closePushSockets();
  await cleanup();
});

const source: SourceId = { host: 'exact.example.org', pid: 7, epoch: '00000000000000aa' };
const register = (seq: bigint): Message => ({ kind: 'register', source, seq, command: command('SOGo', 'jdoe', 'jdoe') });
const heartbeat = (seq: bigint, dropped: bigint): Message => ({ kind: 'heartbeat', source, seq, intervalMs: 60_000, dropped, entries: [] });

function exposed(text: string, name: string): string | undefined {
  return text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1];
}

describe('counts', () => {
  it('sum sequence gaps exactly: a jump near 2^64, then +1, is off by nothing', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000 });
    const push = connectPush(notifier.endpoint);
    for (const seq of [1n, 2n ** 64n - 4n, 2n ** 64n - 2n]) await push.send(encodeMessage(register(seq)));
    const want = (2n ** 64n - 5n).toString(); // (2^64 - 4 - 1 - 1) + 1
    await notifier.waitFor('the gaps counted', async (n) => (await n.status()).counters.gaps === want);
    expect(exposed(await notifier.metrics(), 'mapistore_mgmt_sequence_gaps_total')).toBe(want);
    expect((await notifier.sources())[0]?.gaps).toBe(want);
  });

  it('count a sender drop total that goes down as no new drops, and only rises above the highest after it', async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000 });
    const push = connectPush(notifier.endpoint);
    for (const [seq, dropped] of [[1n, 100n], [2n, 5n], [3n, 100n], [4n, 103n]] as const) await push.send(encodeMessage(heartbeat(seq, dropped)));
    await notifier.waitFor('the four heartbeats applied', async (n) => (await n.sources())[0]?.lastSeq === '4');
    expect((await notifier.status()).counters.senderDrops).toBe('103');
    expect(exposed(await notifier.metrics(), 'mapistore_mgmt_sender_dropped_total')).toBe('103');
    expect((await notifier.sources())[0]?.droppedReported).toBe('103');
  });
});
