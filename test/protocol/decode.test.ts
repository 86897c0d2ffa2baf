// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeMessage, largestHeartbeatBytes } from '../../src/protocol/decode.js';
import type { Message } from '../../src/protocol/types.js';
import { decodedAs, encodeMessage, hexToBytes } from '../support/frames.js';
import { loadVectors } from '../support/vectors.js';

const source = { host: 'mail.example.org', pid: 4242, epoch: '0123456789abcdef' };
const command = { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', replicaGuid: '00112233-4455-6677-8899-aabbccddeeff', replId: 1 };
const register: Message = { kind: 'register', source, seq: 1n, command };
const options = { maxFrameBytes: 65536 };

/** What decoding a lone message gives. */
function decoded(message: Message): ReturnType<typeof decodedAs> {
  return decodedAs([message]);
}

function reasonOf(frame: Uint8Array, maxFrameBytes = 65536): string {
  const result = decodeFrame(frame, { maxFrameBytes });
  return result.ok ? 'ok' : result.reason;
}

describe('decodeFrame', () => {
  it('rejects a frame longer than maxFrameBytes as oversized, and accepts one exactly at the limit', () => {
    const frame = encodeMessage(register);
    // 22 header + 17 host + 3 x 5 strings + 16 guid + 2 repl_id.
    expect(frame.length).toBe(72);
    expect(reasonOf(frame, 71)).toBe('oversized');
    expect(reasonOf(frame, 72)).toBe('ok');
  });

  it('checks each frame of a multipart message against maxFrameBytes, not their sum', () => {
    const message = encodeMessage(register);
    const frames = [message.subarray(0, 40), message.subarray(40)];
    expect(decodeMessage(frames, { maxFrameBytes: 40 })).toStrictEqual(decoded(register));
    const result = decodeMessage(frames, { maxFrameBytes: 39 });
    expect(result).toStrictEqual({ ok: false, reason: 'oversized', detail: 'frame 1 of 2: 40 bytes, limit 39' });
  });

  it('bounds a multipart message at the larger of one frame and the largest heartbeat, before joining it', () => {
    const longest = 'x'.repeat(255);
    const heartbeat: Message = {
      kind: 'heartbeat',
      source: { ...source, host: longest },
      seq: 1n,
      intervalMs: 1000,
      dropped: 0n,
      entries: [{ ...command, backend: longest, username: longest, vuser: longest, count: 1 }],
    };
    const message = encodeMessage(heartbeat);
    // docs/protocol.md, "Limits": 22 + 256 + 16 + N x 790.
    expect(message.length).toBe(22 + 256 + 16 + 790);
    expect(largestHeartbeatBytes(1)).toBe(message.length);
    const frames = [message.subarray(0, 542), message.subarray(542)];
    // Exactly at the limit: taken.
    expect(decodeMessage(frames, { maxFrameBytes: 600, maxHeartbeatEntries: 1 })).toStrictEqual(decoded(heartbeat));
    // One byte over (the largest heartbeat of no entry is below one frame, so a frame is the limit).
    expect(decodeMessage(frames, { maxFrameBytes: 1083, maxHeartbeatEntries: 0 })).toStrictEqual({
      ok: false,
      reason: 'oversized',
      detail: '2 frames of 1084 bytes in all, limit 1083 (the larger of one frame and the largest heartbeat of 0 entries)',
    });
    // A single frame is bounded by maxFrameBytes alone.
    expect(decodeMessage([message], { maxFrameBytes: 1084, maxHeartbeatEntries: 0 })).toStrictEqual(decoded(heartbeat));
  });

  it('checks the size before anything else', () => {
    expect(reasonOf(new Uint8Array([2, 9]), 1)).toBe('oversized');
  });

  it('decodes a frame that is a view into a larger buffer', () => {
    const frame = encodeMessage(register);
    const padded = new Uint8Array(frame.length + 10);
    padded.set(frame, 5);
    expect(decodeFrame(padded.subarray(5, 5 + frame.length), options)).toStrictEqual(decoded(register));
  });

  it('decodes a Buffer, as ZeroMQ delivers frames, even one at an offset in a shared pool', () => {
    const frame = encodeMessage(register);
    const pooled = Buffer.from(frame);
    expect(decodeFrame(pooled, options)).toStrictEqual(decoded(register));
    const backing = Buffer.alloc(frame.length + 3, 9);
    backing.set(frame, 3);
    const shared = backing.subarray(3);
    expect(shared.byteOffset).toBe(3);
    expect(decodeFrame(shared, options)).toStrictEqual(decoded(register));
  });

  it('keeps a leading byte order mark instead of dropping it', () => {
    const message: Message = { ...register, command: { ...command, vuser: '\ufeffjdoe' } };
    expect(decodeFrame(encodeMessage(message), options)).toStrictEqual(decoded(message));
  });

  it('accepts 4-byte UTF-8 and noncharacters, which are well-formed', () => {
    const message: Message = { ...register, command: { ...command, username: '😀\uffff' } };
    expect(decodeFrame(encodeMessage(message), options)).toStrictEqual(decoded(message));
  });

  it.each([
    ['a code point above U+10FFFF', 'f4908080'],
    ['a lone continuation byte', '80'],
    ['a truncated sequence', 'e282'],
    ['an overlong NUL', 'c080'],
    ['a low surrogate', 'edbfbf'],
  ])('rejects %s as invalid-utf8', (_, bytes) => {
    const frame = encodeMessage({ ...register, command: { ...command, vuser: 'x' } });
    const head = frame.subarray(0, frame.length - 18 - 2);
    const tail = frame.subarray(frame.length - 18);
    const raw = hexToBytes(bytes);
    const crafted = Uint8Array.from([...head, raw.length, ...raw, ...tail]);
    expect(reasonOf(crafted)).toBe('invalid-utf8');
  });

  it('decodes the strings of each frame, not those of an earlier frame with strings of the same lengths', () => {
    const ann: Message = { ...register, command: { ...command, username: 'ann', vuser: 'ann' } };
    const bob: Message = { ...register, command: { ...command, username: 'bob', vuser: 'ann' } };
    for (const message of [ann, bob, ann, bob]) expect(decodeFrame(encodeMessage(message), options)).toStrictEqual(decoded(message));
    const bad = encodeMessage({ ...register, command: { ...command, username: 'a\0n', vuser: 'ann' } });
    expect(reasonOf(bad)).toBe('nul-in-string');
  });

  it('names the field in the detail', () => {
    const frame = encodeMessage({ ...register, command: { ...command, vuser: 'a\0b' } });
    expect(decodeFrame(frame, options)).toStrictEqual({ ok: false, reason: 'nul-in-string', detail: 'vuser holds a NUL byte' });
  });

  it('rejects a heartbeat whose entry count could never fit, without reading on', () => {
    const heartbeat = encodeMessage({ kind: 'heartbeat', source, seq: 1n, intervalMs: 1000, dropped: 0n, entries: [] });
    const frame = heartbeat.slice();
    frame.set([0xff, 0xff, 0xff, 0xff], frame.length - 4);
    expect(reasonOf(frame)).toBe('truncated');
  });

  it('rejects bytes after every kind of body', () => {
    for (const vector of loadVectors().filter((v) => v.messages !== undefined)) {
      expect(reasonOf(Uint8Array.from([...vector.frame, 0]))).toBe('trailing-bytes');
    }
  });

  it('rejects every proper prefix of a valid frame as truncated', () => {
    for (const vector of loadVectors().filter((v) => v.messages !== undefined)) {
      for (let length = 0; length < vector.frame.length; length++) {
        expect(reasonOf(vector.frame.subarray(0, length)), `${vector.name} cut at ${length}`).toBe('truncated');
      }
    }
  });
});
