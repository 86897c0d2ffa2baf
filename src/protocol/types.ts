// SPDX-License-Identifier: GPL-3.0-or-later
/** Wire protocol v1 messages, as decoded (see docs/protocol.md). */

export type Kind = 'register' | 'unregister' | 'heartbeat' | 'goodbye';

/** The sender process a message comes from. */
export interface SourceId {
  host: string;
  pid: number;
  /** 16 lowercase hex digits. */
  epoch: string;
}

/** The stable text key of a source: `host/pid/epoch`. */
export function sourceKey(id: SourceId): string {
  return `${id.host}/${id.pid}/${id.epoch}`;
}

/** A register or unregister body. The triple (backend, username, vuser) is the key. */
export interface UserCommand {
  backend: string;
  username: string;
  vuser: string;
  /** Text form, 8-4-4-4-12 lowercase hex. */
  replicaGuid: string;
  /** u16. */
  replId: number;
}

/** One heartbeat entry: a triple the source holds, and how many times (never 0). */
export type SnapshotEntry = UserCommand & { count: number };

/**
 * A sequence number: u64, never 0. The decoder gives a number up to 2^53-1 and a bigint above
 * (a BigInt a message costs time and memory, and a sender's numbers are nearly always small);
 * a number must be an integer up to 2^53-1. Either is exact: compare with `<`, never `===`.
 */
export type Seq = number | bigint;

/** `seq` in the form the decoder gives it: a number up to 2^53-1, else a bigint. */
export function canonicalSeq(seq: Seq): Seq {
  if (typeof seq === 'number') return seq;
  // Number() rounds monotonically, so it is at most 2^53-1 exactly when `seq` is.
  const value = Number(seq);
  return value <= Number.MAX_SAFE_INTEGER ? value : seq;
}

interface MessageBase {
  source: SourceId;
  seq: Seq;
}

export interface RegisterMessage extends MessageBase {
  kind: 'register';
  command: UserCommand;
}

export interface UnregisterMessage extends MessageBase {
  kind: 'unregister';
  command: UserCommand;
}

export interface HeartbeatMessage extends MessageBase {
  kind: 'heartbeat';
  /** u32, never 0. */
  intervalMs: number;
  /** u64 running total of messages the sender could not queue. */
  dropped: bigint;
  /** The source's whole set; each triple at most once. */
  entries: SnapshotEntry[];
}

export interface GoodbyeMessage extends MessageBase {
  kind: 'goodbye';
}

export type Message = RegisterMessage | UnregisterMessage | HeartbeatMessage | GoodbyeMessage;

/** Why the decoder rejects a frame (a whole batch too): one per frame, as in docs/protocol.md's table. */
export const REJECT_REASONS = [
  'truncated',
  'trailing-bytes',
  'unknown-version',
  'unknown-kind',
  'invalid-source',
  'invalid-sequence',
  'empty-string',
  'invalid-utf8',
  'nul-in-string',
  'invalid-interval',
  'zero-count',
  'duplicate-entry',
  'invalid-batch',
  'oversized',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
