// SPDX-License-Identifier: GPL-3.0-or-later
// The receive loop's decoder: a frame read into reused columns (DecodedFrame) gives, message by
// message, what decodeMessage gives as objects, and a refused frame leaves nothing to apply.
import { describe, expect, it } from 'vitest';
import { DecodedFrame, decodeInto, decodeMessage } from '../../src/protocol/decode.js';
import { canonicalSeq, type Message } from '../../src/protocol/types.js';
import { encodeMessages } from '../support/frames.js';

const source = { host: 'mail.example.org', pid: 4242, epoch: '0123456789abcdef' };
const options = { maxFrameBytes: 65536 };

function command(username: string, replId = 1) {
  return { backend: 'SOGo', username, vuser: username, replicaGuid: `00112233-4455-6677-8899-${String(replId).padStart(12, '0')}`, replId };
}

/** A batch of every kind: commands for several users, a heartbeat and a goodbye among them. */
function mixedBatch(firstSeq: bigint): Message[] {
  const messages: Message[] = [];
  let next = firstSeq;
  const seq = () => canonicalSeq(next++);
  for (let i = 0; i < 40; i++) {
    messages.push({ kind: i % 2 === 0 ? 'register' : 'unregister', source, seq: seq(), command: command(`user${i % 7}`, i) });
  }
  messages.push({ kind: 'heartbeat', source, seq: seq(), intervalMs: 5000, dropped: 3n, entries: [{ ...command('user1'), count: 2 }] });
  messages.push({ kind: 'register', source, seq: seq(), command: command('late') });
  messages.push({ kind: 'goodbye', source, seq: seq() });
  return messages;
}

function viewsOf(frame: DecodedFrame): Message[] {
  const copies: Message[] = [];
  for (let i = 0; i < frame.count; i++) copies.push(structuredClone(frame.message(i)));
  return copies;
}

describe('decodeInto', () => {
  it('gives, message by message, what decodeMessage gives, for one frame after another into the same DecodedFrame', () => {
    const into = new DecodedFrame();
    for (const messages of [mixedBatch(1n), [mixedBatch(100n)[3] as Message], mixedBatch(2n ** 53n - 20n), mixedBatch(2n ** 64n - 43n)]) {
      const bytes = encodeMessages(messages);
      expect(decodeInto([bytes], options, into)).toStrictEqual({ ok: true });
      expect(into.count).toBe(messages.length);
      expect(into.sourceKey).toBe('mail.example.org/4242/0123456789abcdef');
      expect(viewsOf(into)).toStrictEqual(messages);
      expect(decodeMessage([bytes], options)).toStrictEqual({ ok: true, messages, sourceKey: into.sourceKey });
    }
  });

  it('hands out one register or unregister object, refilled per call; copy() gives one to keep', () => {
    const into = new DecodedFrame();
    const messages = mixedBatch(1n);
    decodeInto([encodeMessages(messages)], options, into);
    const first = into.message(0);
    const kept = into.copy(0);
    expect(into.message(1)).toBe(first);
    expect(first).toStrictEqual(messages[1]);
    expect(kept).toStrictEqual(messages[0]);
    expect(into.copy(1)).not.toBe(into.copy(1));
  });

  it('leaves nothing to apply when a frame is refused, whatever the frame before held', () => {
    const into = new DecodedFrame();
    decodeInto([encodeMessages(mixedBatch(1n))], options, into);
    const bad = encodeMessages(mixedBatch(1n));
    const truncated = bad.subarray(0, bad.length - 3);
    expect(decodeInto([truncated], options, into)).toMatchObject({ ok: false, reason: 'truncated' });
    expect(into.count).toBe(0);
    decodeInto([encodeMessages(mixedBatch(1n))], options, into);
    const trailing = Uint8Array.from([...bad, 0]);
    expect(decodeInto([trailing], options, into)).toStrictEqual({ ok: false, reason: 'trailing-bytes', detail: "1 bytes after the batch's 43 messages" });
    expect(into.count).toBe(0);
  });

  it('keeps no heartbeat once released, nor past the next frame read into it', () => {
    const into = new DecodedFrame();
    const heartbeat: Message = { kind: 'heartbeat', source, seq: 1n, intervalMs: 5000, dropped: 0n, entries: [{ ...command('jdoe'), count: 1 }] };
    decodeInto([encodeMessages([heartbeat])], options, into);
    expect(into.others).toHaveLength(1);
    into.release();
    expect(into.others).toHaveLength(0);
    decodeInto([encodeMessages([heartbeat])], options, into);
    decodeInto([encodeMessages([{ kind: 'register', source, seq: 2n, command: command('jdoe') }])], options, into);
    expect(into.others).toHaveLength(0);
    expect(into.message(0)).toStrictEqual({ kind: 'register', source, seq: 2, command: command('jdoe') });
  });
});
