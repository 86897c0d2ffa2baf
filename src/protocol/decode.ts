// SPDX-License-Identifier: GPL-3.0-or-later
import { Buffer, isUtf8 } from 'node:buffer';
import { tripleKey } from './triple.js';
import {
  sourceKey,
  type GoodbyeMessage,
  type HeartbeatMessage,
  type Kind,
  type Message,
  type RegisterMessage,
  type RejectReason,
  type Seq,
  type SnapshotEntry,
  type SourceId,
  type UnregisterMessage,
} from './types.js';

export interface DecodeOptions {
  /** Frames longer than this are rejected as `oversized` before any parsing. */
  maxFrameBytes: number;
  /**
   * The most entries a heartbeat may hold (`--max-registrations-per-source`): a multipart
   * message larger than both one frame and a heartbeat of that many of the longest entries
   * (`largestHeartbeatBytes`) is rejected as `oversized` before its frames are joined. Without
   * it only each frame is bounded.
   */
  maxHeartbeatEntries?: number;
}

/**
 * A decoded ZeroMQ message: one protocol message, or the messages of a batch, in order. All
 * come from one source, whose key (`sourceKey`) is built once per frame, not per message.
 */
export type DecodeResult =
  | { ok: true; messages: Message[]; sourceKey: string }
  | { ok: false; reason: RejectReason; detail: string };

/** What `decodeInto` says: the frame was read whole into the DecodedFrame, or why not. */
export type DecodeOutcome = { ok: true } | { ok: false; reason: RejectReason; detail: string };
const DECODED: DecodeOutcome = { ok: true };

const VERSION = 1;
const KIND_BY_CODE: readonly (Kind | undefined)[] = [undefined, 'register', 'unregister', 'heartbeat', 'goodbye'];
const BATCH = 5;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** The header's bytes that name the source: pid and epoch (host follows the seq). */
const SOURCE_AT = 2;
const SEQ_AT = 14;
const HOST_AT = 22;
/** A str8 at its longest: the length byte and 255 bytes. */
const STR8_MAX_BYTES = 1 + 255;
/** A heartbeat's fields before its entries: interval_ms (u32), dropped (u64), entry count (u32). */
const HEARTBEAT_FIELDS_BYTES = 4 + 8 + 4;
/** A heartbeat entry at its longest: backend, username, vuser, replica_guid, repl_id (u16), count (u32). */
const ENTRY_MAX_BYTES = 3 * STR8_MAX_BYTES + 16 + 2 + 4;

/** The largest heartbeat of `entries` entries: header, longest host, fields, longest entries (docs/protocol.md, "Limits"). */
export function largestHeartbeatBytes(entries: number): number {
  return HOST_AT + STR8_MAX_BYTES + HEARTBEAT_FIELDS_BYTES + entries * ENTRY_MAX_BYTES;
}

/** The source of the last frame decoded, by its header bytes: a sender's frames all carry the
 * same one, so its host string, epoch text and key are built once rather than per frame. */
const lastSource = { bytes: new Uint8Array(0), id: { host: '', pid: 0, epoch: '' } as SourceId, key: '' };

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The last GUID decoded, as bytes and as text: a sender's messages nearly always carry the
 * same replica, so its text is built once rather than per message. */
const lastGuidBytes = new Uint8Array(16);
const lastGuid = { bytes: lastGuidBytes, words: new DataView(lastGuidBytes.buffer), text: '00000000-0000-0000-0000-000000000000' };

/**
 * The strings of user commands decoded lately, by the bytes of their three str8 fields (backend,
 * username, vuser): a sender names the same users again and again (a context opened, then
 * closed), and bytes met before passed every check then, so a hit skips the checks and the
 * building of four strings (the triple's key too), and hands the table the same string objects
 * (their hashes computed already). One entry a slot, the newest wins: at most KEY_SLOTS x
 * 1.5 KiB.
 */
const KEY_SLOTS = 1024;
export interface KnownKey {
  /** The three str8 fields' bytes, a copy. */
  bytes: DataView;
  backend: string;
  username: string;
  vuser: string;
  triple: string;
}
const knownKeys: (KnownKey | undefined)[] = new Array<KnownKey | undefined>(KEY_SLOTS).fill(undefined);

/** The key `Reader.key()` returned last. */
let lastKey: KnownKey = { bytes: new DataView(new ArrayBuffer(0)), backend: '', username: '', vuser: '', triple: '' };

/** Whether the bytes of `b` from `at` are those of `ref` (which `b` holds in full from `at`).
 * Four at a time: compared byte by byte, these compares were most of decoding's time. */
function sameBytes(b: DataView, at: number, ref: DataView): boolean {
  const n = ref.byteLength;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (b.getUint32(at + i) !== ref.getUint32(i)) return false;
  for (; i < n; i++) if (b.getUint8(at + i) !== ref.getUint8(i)) return false;
  return true;
}

/** FNV-1a over bytes [at, end), as a slot of knownKeys. */
function keySlot(b: Uint8Array, at: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = at; i < end; i++) hash = Math.imul(hash ^ (b[i] as number), 16777619);
  return (hash >>> 0) & (KEY_SLOTS - 1);
}

/** Thrown inside the decoder only; a plain object, so no stack trace is captured. */
class Failure {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {}
}

/** A bounds-checked little-endian cursor over one frame. */
class Reader {
  private offset = 0;
  private readonly buffer: Buffer;
  /** The same bytes, for sameBytes. */
  private readonly words: DataView;
  /** The heartbeat entry being read, for failure details; -1 outside entries. */
  entry = -1;
  /** The message of a batch being read, for failure details; -1 outside batches. */
  message = -1;

  constructor(private readonly bytes: Uint8Array) {
    // ZeroMQ hands frames over as Buffers already; wrapping any other view copies nothing.
    this.buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(reason: RejectReason, field: string, problem: string): never {
    const where = this.entry < 0 ? field : `entry ${this.entry} ${field}`;
    const within = this.message < 0 ? '' : `message ${this.message} of the batch: `;
    throw new Failure(reason, `${within}${where} ${problem}`);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(size: number, field: string): number {
    const at = this.offset;
    if (at + size > this.bytes.length) this.fail('truncated', field, `is cut short: the frame ends at byte ${this.bytes.length}`);
    this.offset = at + size;
    return at;
  }

  /** Passes over `size` bytes (a field read elsewhere, or checked already). */
  skip(size: number, field = 'host'): void {
    this.take(size, field);
  }

  u8(field: string): number {
    return this.bytes[this.take(1, field)] as number;
  }

  u16(field: string): number {
    return this.buffer.readUInt16LE(this.take(2, field));
  }

  u32(field: string): number {
    return this.buffer.readUInt32LE(this.take(4, field));
  }

  u64(field: string): bigint {
    return this.buffer.readBigUInt64LE(this.take(8, field));
  }

  /** A u64 sequence number: a number up to 2^53-1, a bigint above (Seq). */
  seq(field: string): Seq {
    const at = this.take(8, field);
    const high = this.buffer.readUInt32LE(at + 4);
    return high < 0x20_0000 ? high * 0x1_0000_0000 + this.buffer.readUInt32LE(at) : this.buffer.readBigUInt64LE(at);
  }

  /** A GUID in its NDR byte layout, as 8-4-4-4-12 lowercase text. */
  guid(field: string): string {
    const at = this.take(16, field);
    const b = this.bytes;
    if (sameBytes(this.words, at, lastGuid.words)) return lastGuid.text;
    const h = (i: number): string => HEX[b[at + i] as number] as string;
    const text =
      h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' +
      h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
    lastGuid.bytes.set(b.subarray(at, at + 16));
    lastGuid.text = text;
    return text;
  }

  /** A user command's three strings (backend, username, vuser) and its triple's key (for a
   * heartbeat's duplicate check), from knownKeys when their bytes were met before. */
  key(): KnownKey {
    const b = this.bytes;
    const at = this.offset;
    let end = at;
    let fields = 0;
    for (; fields < 3 && end < b.length; fields++) end += 1 + (b[end] as number);
    const whole = fields === 3 && end <= b.length;
    // The last key first: a batch often names one triple again (a context opened, then closed).
    if (whole && lastKey.bytes.byteLength === end - at && sameBytes(this.words, at, lastKey.bytes)) {
      this.offset = end;
      return lastKey;
    }
    const slot = whole ? keySlot(b, at, end) : -1;
    const known = slot < 0 ? undefined : knownKeys[slot];
    if (known !== undefined && known.bytes.byteLength === end - at && sameBytes(this.words, at, known.bytes)) {
      this.offset = end;
      lastKey = known;
      return known;
    }
    // Read field by field: a fault is reported where it is.
    const backend = this.str8('backend');
    const username = this.str8('username');
    const vuser = this.str8('vuser');
    // A copy: Buffer#slice is a view of the whole frame.
    const copy = Uint8Array.prototype.slice.call(b, at, end);
    const fresh = { bytes: new DataView(copy.buffer, copy.byteOffset, copy.byteLength), backend, username, vuser, triple: tripleKey(backend, username, vuser) };
    if (slot >= 0) knownKeys[slot] = fresh;
    lastKey = fresh;
    return fresh;
  }

  str8(field: string): string {
    const length = this.u8(field);
    if (length === 0) this.fail('empty-string', field, 'is empty');
    const at = this.take(length, field);
    const end = at + length;
    // One pass over the bytes: plain ASCII (the usual case) is well-formed UTF-8 already,
    // which spares the native call and the subarray it needs on these short strings.
    const b = this.bytes;
    let nul = end;
    let ascii = true;
    for (let i = at; i < end; i++) {
      const byte = b[i] as number;
      if (byte === 0) {
        nul = i;
        break;
      }
      if (byte > 0x7f) ascii = false;
    }
    // The earlier fault wins: bytes before the first NUL that are not UTF-8, else the NUL.
    // isUtf8 (simdutf) rejects all the spec calls ill-formed: overlongs, surrogates,
    // > U+10FFFF, cut sequences. With toString it beats a fatal TextDecoder on the short
    // strings frames carry, and it keeps a leading U+FEFF, which TextDecoder drops by default.
    if (!ascii && !isUtf8(b.subarray(at, nul))) this.fail('invalid-utf8', field, 'is not well-formed UTF-8');
    if (nul < end) this.fail('nul-in-string', field, 'holds a NUL byte');
    return this.buffer.toString('utf8', at, end);
  }
}

function readEntries(r: Reader): SnapshotEntry[] {
  const n = r.u32('entry count');
  // An overstated count is found where the frame runs out (each entry takes bytes, so the loop
  // is bounded by the frame), so that a fault in an earlier entry is the one reported.
  const entries: SnapshotEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    r.entry = i;
    const key = r.key();
    const replicaGuid = r.guid('replica_guid');
    const replId = r.u16('repl_id');
    const count = r.u32('count');
    if (count === 0) r.fail('zero-count', 'count', 'is 0');
    const triple = key.triple;
    if (seen.has(triple)) r.fail('duplicate-entry', 'triple', 'repeats an earlier entry');
    seen.add(triple);
    // A literal, not `{ ...command, count }`: V8 (Node 20) gives every such copy a hidden class
    // of its own, allocated in the old generation, about 240 B of garbage per entry that only a
    // full collection takes back (docs/benchmarks.md, section 4).
    entries.push({ backend: key.backend, username: key.username, vuser: key.vuser, replicaGuid, replId, count });
  }
  r.entry = -1;
  return entries;
}

/** Reads the body of message `i` of `kind` (after its header, or its kind byte in a batch) into `into`. */
function readBody(r: Reader, kind: Kind, seq: Seq, into: DecodedFrame, i: number): void {
  into.kinds[i] = kind;
  into.seqs[i] = seq;
  switch (kind) {
    case 'register':
    case 'unregister':
      into.keys[i] = r.key();
      into.guids[i] = r.guid('replica_guid');
      into.replIds[i] = r.u16('repl_id');
      return;
    case 'heartbeat': {
      const intervalMs = r.u32('interval_ms');
      if (intervalMs === 0) r.fail('invalid-interval', 'interval_ms', 'is 0');
      const dropped = r.u64('dropped');
      into.others[i] = { kind, source: into.source, seq, intervalMs, dropped, entries: readEntries(r) };
      return;
    }
    case 'goodbye':
      into.others[i] = { kind, source: into.source, seq };
  }
}

/** The source named by the header's pid, epoch and host, reusing the last one when those bytes
 * are the same (the last one's host passed every check then). */
function readSource(r: Reader, bytes: Uint8Array, pid: number): { id: SourceId; key: string } {
  const hostEnd = HOST_AT + 1 + (bytes[HOST_AT] ?? 0);
  const last = lastSource.bytes;
  if (bytes.length >= hostEnd && last.length === SEQ_AT - SOURCE_AT + hostEnd - HOST_AT) {
    let same = true;
    for (let i = SOURCE_AT; i < SEQ_AT && same; i++) same = bytes[i] === last[i - SOURCE_AT];
    for (let i = HOST_AT, j = SEQ_AT - SOURCE_AT; i < hostEnd && same; i++, j++) same = bytes[i] === last[j];
    if (same) {
      r.skip(hostEnd - HOST_AT);
      return lastSource;
    }
  }
  const host = r.str8('host');
  const id: SourceId = { host, pid, epoch: hexOf(bytes, SOURCE_AT + 4) };
  const key = new Uint8Array(SEQ_AT - SOURCE_AT + hostEnd - HOST_AT);
  key.set(bytes.subarray(SOURCE_AT, SEQ_AT));
  key.set(bytes.subarray(HOST_AT, hostEnd), SEQ_AT - SOURCE_AT);
  lastSource.bytes = key;
  lastSource.id = id;
  lastSource.key = sourceKey(id);
  return lastSource;
}

/** 8 little-endian bytes at `at` as 16 lowercase hex digits. */
function hexOf(b: Uint8Array, at: number): string {
  let text = '';
  for (let i = at + 7; i >= at; i--) text += HEX[b[i] as number];
  return text;
}

function readFrame(r: Reader, bytes: Uint8Array, into: DecodedFrame): void {
  const version = r.u8('version');
  if (version !== VERSION) r.fail('unknown-version', 'version', `is ${version}`);
  const code = r.u8('kind');
  const kind = KIND_BY_CODE[code];
  if (kind === undefined && code !== BATCH) r.fail('unknown-kind', 'kind', `is ${code}`);
  const pid = r.u32('pid');
  if (pid === 0) r.fail('invalid-source', 'pid', 'is 0');
  r.skip(8, 'epoch');
  const seq = r.seq('seq');
  if (seq === 0) r.fail('invalid-sequence', 'seq', 'is 0');
  const source = readSource(r, bytes, pid);
  into.source = source.id;
  into.sourceKey = source.key;
  if (kind !== undefined) {
    readBody(r, kind, seq, into, 0);
    into.count = 1;
    return;
  }

  const n = r.u16('message count');
  if (n < 2) r.fail('invalid-batch', 'message count', `is ${n}: a batch holds at least 2 messages`);
  if (typeof seq === 'bigint' && seq + BigInt(n - 1) > U64_MAX) r.fail('invalid-sequence', 'message count', `takes seq past 2^64-1`);
  // An overstated count is found where the frame runs out (each message takes bytes).
  let messageSeq = seq;
  for (let i = 0; i < n; i++, messageSeq = nextSeq(messageSeq)) {
    r.message = i;
    const inner = r.u8('kind');
    const innerKind = KIND_BY_CODE[inner];
    if (innerKind === undefined) r.fail('unknown-kind', 'kind', `is ${inner}${inner === BATCH ? ' (a batch inside a batch)' : ''}`);
    readBody(r, innerKind, messageSeq, into, i);
  }
  r.message = -1;
  into.count = n;
}

/** The sequence number after `seq` (below 2^64: the batch's count was checked), as a Seq. */
function nextSeq(seq: Seq): Seq {
  return typeof seq === 'number' && seq < Number.MAX_SAFE_INTEGER ? seq + 1 : BigInt(seq) + 1n;
}

/**
 * One decoded ZeroMQ message, read by `decodeInto` and reused for the next: its messages as
 * columns (kind, seq, strings, replica per message) rather than an object per message, which
 * would be garbage as soon as the table has applied it. `message(i)` hands out a view.
 */
export class DecodedFrame {
  /** The messages' source (one per frame) and its key. */
  source: SourceId = { host: '', pid: 0, epoch: '' };
  sourceKey = '';
  /** Messages in the frame: 1, or a batch's `n`. */
  count = 0;
  /** Per message, index 0..count-1; entries past `count` are left from earlier frames. */
  readonly kinds: Kind[] = [];
  readonly seqs: Seq[] = [];
  /** Register and unregister: the triple's strings, the replica GUID and id. */
  readonly keys: KnownKey[] = [];
  readonly guids: string[] = [];
  readonly replIds: number[] = [];
  /** Heartbeat and goodbye, rare in a batch: the message itself. */
  readonly others: (HeartbeatMessage | GoodbyeMessage)[] = [];
  private readonly command = { backend: '', username: '', vuser: '', replicaGuid: '', replId: 0 };
  private readonly view: RegisterMessage | UnregisterMessage = { kind: 'register', source: this.source, seq: 1, command: this.command };

  /**
   * Message `i`. A register or unregister is the same object each call, refilled: it is valid
   * until the next call (the table's `apply` keeps nothing of it); `copy` for one to keep.
   */
  message(i: number): Message {
    const kind = this.kinds[i] as Kind;
    if (kind === 'heartbeat' || kind === 'goodbye') return this.others[i] as Message;
    const key = this.keys[i] as KnownKey;
    const { view, command } = this;
    view.kind = kind;
    view.source = this.source;
    view.seq = this.seqs[i] as Seq;
    command.backend = key.backend;
    command.username = key.username;
    command.vuser = key.vuser;
    command.replicaGuid = this.guids[i] as string;
    command.replId = this.replIds[i] as number;
    return view;
  }

  /** Lets go of the heartbeats and goodbyes read (a big heartbeat's entries): call it once the
   * frame's messages are applied. */
  release(): void {
    this.others.length = 0;
  }

  /** Message `i` as an object of its own. */
  copy(i: number): Message {
    const message = this.message(i);
    if (message.kind !== 'register' && message.kind !== 'unregister') return message;
    const { backend, username, vuser, replicaGuid, replId } = message.command;
    return { kind: message.kind, source: message.source, seq: message.seq, command: { backend, username, vuser, replicaGuid, replId } };
  }
}

/**
 * Decodes one ZeroMQ frame. Never throws: a frame that breaks any rule of docs/protocol.md
 * is reported with its reason and a human-readable detail.
 */
export function decodeFrame(frame: Uint8Array, options: DecodeOptions): DecodeResult {
  return decodeMessage([frame], options);
}

/**
 * Decodes one ZeroMQ message: its frames' bytes, concatenated, are one protocol message (a
 * large heartbeat comes split across several frames). Each frame is checked against
 * `maxFrameBytes` first. Never throws. Its messages are objects of their own: the receive
 * loop uses `decodeInto` instead.
 */
export function decodeMessage(frames: readonly Uint8Array[], options: DecodeOptions): DecodeResult {
  const into = new DecodedFrame();
  const outcome = decodeInto(frames, options, into);
  if (!outcome.ok) return outcome;
  const messages: Message[] = [];
  for (let i = 0; i < into.count; i++) messages.push(into.copy(i));
  return { ok: true, messages, sourceKey: into.sourceKey };
}

/**
 * `decodeMessage` into `into`, which holds the frame's messages afterwards (and, when the
 * frame is refused, nothing to apply: a batch is read whole before any of it is used).
 */
export function decodeInto(frames: readonly Uint8Array[], options: DecodeOptions, into: DecodedFrame): DecodeOutcome {
  into.count = 0;
  into.release();
  let total = 0;
  for (let index = 0; index < frames.length; index++) {
    const frame = frames[index] as Uint8Array;
    if (frame.length > options.maxFrameBytes) {
      const which = frames.length === 1 ? '' : `frame ${index + 1} of ${frames.length}: `;
      return { ok: false, reason: 'oversized', detail: `${which}${frame.length} bytes, limit ${options.maxFrameBytes}` };
    }
    total += frame.length;
  }
  if (frames.length > 1 && options.maxHeartbeatEntries !== undefined) {
    const limit = Math.max(options.maxFrameBytes, largestHeartbeatBytes(options.maxHeartbeatEntries));
    if (total > limit) {
      return {
        ok: false,
        reason: 'oversized',
        detail: `${frames.length} frames of ${total} bytes in all, limit ${limit} (the larger of one frame and the largest heartbeat of ${options.maxHeartbeatEntries} entries)`,
      };
    }
  }
  const bytes = frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames);
  const reader = new Reader(bytes);
  try {
    readFrame(reader, bytes, into);
  } catch (error) {
    into.count = 0;
    if (error instanceof Failure) return { ok: false, reason: error.reason, detail: error.detail };
    throw error;
  }
  if (reader.remaining > 0) {
    const what = into.count === 1 ? `the ${into.kinds[0] as Kind} body` : `the batch's ${into.count} messages`;
    into.count = 0;
    return { ok: false, reason: 'trailing-bytes', detail: `${reader.remaining} bytes after ${what}` };
  }
  return DECODED;
}
