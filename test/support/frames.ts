// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A test-only encoder for wire protocol v1 (docs/protocol.md): builds frames from Message
 * objects. It does not validate, so tests can craft frames the decoder must reject (empty
 * strings, NUL bytes, zero pid...); only what the format cannot express throws.
 */
import type { DecodeResult } from '../../src/protocol/decode.js';
import { canonicalSeq, sourceKey, type Kind, type Message, type UserCommand } from '../../src/protocol/types.js';

const KIND_CODES: Record<Kind, number> = { register: 1, unregister: 2, heartbeat: 3, goodbye: 4 };
const utf8 = new TextEncoder();

class Writer {
  private readonly chunks: number[] = [];

  u8(value: number): this {
    this.chunks.push(value & 0xff);
    return this;
  }

  u16(value: number): this {
    return this.u8(value).u8(value >>> 8);
  }

  u32(value: number): this {
    return this.u16(value & 0xffff).u16(value >>> 16);
  }

  u64(value: bigint): this {
    return this.u32(Number(value & 0xffff_ffffn)).u32(Number((value >> 32n) & 0xffff_ffffn));
  }

  bytes(values: Iterable<number>): this {
    for (const value of values) this.chunks.push(value);
    return this;
  }

  str8(text: string): this {
    const bytes = utf8.encode(text);
    if (bytes.length > 255) throw new Error(`str8 cannot hold ${bytes.length} bytes`);
    return this.u8(bytes.length).bytes(bytes);
  }

  /** 8-4-4-4-12 text to the NDR layout: the first three groups little-endian. */
  guid(text: string): this {
    const hex = text.replaceAll('-', '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${text}`);
    const b = hexToBytes(hex);
    return this.bytes([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)] as number[]);
  }

  command(command: UserCommand): this {
    return this.str8(command.backend)
      .str8(command.username)
      .str8(command.vuser)
      .guid(command.replicaGuid)
      .u16(command.replId);
  }

  done(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** Encodes one message as the library would send it (one ZeroMQ frame). */
export function encodeMessage(message: Message): Uint8Array {
  const w = header(new Writer(), message, KIND_CODES[message.kind]);
  body(w, message);
  return w.done();
}

/**
 * Encodes messages as one frame: a lone one as encodeMessage does, several as a batch (kind 5)
 * with the first one's header; the others' source and seq are not checked (a test can craft a
 * batch the format cannot express no other way).
 */
export function encodeMessages(messages: readonly Message[]): Uint8Array {
  const [first] = messages;
  if (first === undefined) throw new Error('no message to encode');
  if (messages.length === 1) return encodeMessage(first);
  return encodeBatch(first, messages.map((message) => [KIND_CODES[message.kind], message]));
}

/** A batch frame with `first`'s header and these members (a kind code, then a message's body). */
export function encodeBatch(first: Message, members: readonly (readonly [code: number, message: Message])[]): Uint8Array {
  const w = header(new Writer(), first, BATCH_CODE).u16(members.length);
  for (const [code, message] of members) body(w.u8(code), message);
  return w.done();
}

const BATCH_CODE = 5;

function header(w: Writer, message: Message, code: number): Writer {
  if (!/^[0-9a-f]{16}$/.test(message.source.epoch)) throw new Error(`epoch must be 16 hex digits: ${message.source.epoch}`);
  return w
    .u8(1)
    .u8(code)
    .u32(message.source.pid)
    .u64(BigInt(`0x${message.source.epoch}`))
    .u64(BigInt(message.seq))
    .str8(message.source.host);
}

function body(w: Writer, message: Message): void {
  switch (message.kind) {
    case 'register':
    case 'unregister':
      w.command(message.command);
      break;
    case 'heartbeat':
      w.u32(message.intervalMs).u64(message.dropped).u32(message.entries.length);
      for (const entry of message.entries) w.command(entry).u32(entry.count);
      break;
    case 'goodbye':
      break;
  }
}

/** What the decoder gives for a frame holding these messages (one, or a batch's). */
export function decodedAs(messages: Message[]): DecodeResult {
  return { ok: true, messages: messages.map(decodedMessage), sourceKey: sourceKey((messages[0] as Message).source) };
}

/** The message as the decoder gives it: its seq a number up to 2^53-1 (canonicalSeq). */
export function decodedMessage(message: Message): Message {
  return { ...message, seq: canonicalSeq(message.seq) };
}

export function hexToBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`not an even-length hex string: ${hex.slice(0, 40)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
