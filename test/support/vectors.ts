// SPDX-License-Identifier: GPL-3.0-or-later
/** Reads the golden vectors of test/vectors/protocol-v1.txt (format described in its header). */
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { REJECT_REASONS, type Kind, type Message, type RejectReason, type SnapshotEntry, type SourceId, type UserCommand } from '../../src/protocol/types.js';
import { hexToBytes } from './frames.js';
import { readVectorBlocks } from './vector-blocks.js';

export interface Vector {
  name: string;
  /** The ZeroMQ frames of the message, in order (one, unless the vector lists several). */
  frames: Uint8Array[];
  /** The message's bytes: its frames concatenated. */
  frame: Uint8Array;
  /** Set for a frame the decoder must reject. */
  error?: RejectReason;
  /** The decoder's size limit for this vector (`max_frame_bytes`), when it is not the default. */
  maxFrameBytes?: number;
  /** Set for a valid frame: what it decodes to (a batch: its messages in order; else one). */
  messages?: Message[];
}

const VECTORS_FILE = fileURLToPath(new URL('../vectors/protocol-v1.txt', import.meta.url));

export function loadVectors(path = VECTORS_FILE): Vector[] {
  return readVectorBlocks(path, ['entry', 'frame', 'member']).map((block) =>
    toVector(block.name, block.fields, block.lists),
  );
}

function toVector(name: string, fields: Map<string, string>, lists: Map<string, string[]>): Vector {
  const entries = lists.get('entry') ?? [];
  const frameLines = lists.get('frame') ?? [];
  const field = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined) throw new Error(`vector ${name}: no ${key}`);
    return value;
  };
  if ((frameLines.length > 0) === fields.has('hex')) throw new Error(`vector ${name}: needs either one "hex" or several "frame" lines`);
  const frames = (frameLines.length > 0 ? frameLines : [field('hex')]).map((hex) => hexToBytes(hex.trim()));
  const frame = Buffer.concat(frames);
  const error = fields.get('error');
  if (error !== undefined) {
    if (!(REJECT_REASONS as readonly string[]).includes(error)) throw new Error(`vector ${name}: unknown reason ${error}`);
    const limit = fields.get('max_frame_bytes');
    return { name, frames, frame, error: error as RejectReason, ...(limit === undefined ? {} : { maxFrameBytes: Number(limit) }) };
  }
  const kind = field('kind');
  const source = { host: field('host'), pid: Number(field('pid')), epoch: field('epoch') };
  const seq = BigInt(field('seq'));
  const found = { name, frames, frame };
  if (kind === 'batch') {
    const members = lists.get('member') ?? [];
    return { ...found, messages: members.map((line, index) => toMember(name, line, source, seq + BigInt(index), entries)) };
  }
  const command = (): UserCommand => ({
    backend: field('backend'),
    username: field('username'),
    vuser: field('vuser'),
    replicaGuid: field('replica_guid'),
    replId: Number(field('repl_id')),
  });
  switch (kind) {
    case 'register':
    case 'unregister':
      return { ...found, messages: [{ kind, source, seq, command: command() }] };
    case 'heartbeat':
      return {
        ...found,
        messages: [
          {
            kind,
            source,
            seq,
            intervalMs: Number(field('interval_ms')),
            dropped: BigInt(field('dropped')),
            entries: entries.map((line) => toEntry(name, line)),
          },
        ],
      };
    case 'goodbye':
      return { ...found, messages: [{ kind, source, seq }] };
    default:
      throw new Error(`vector ${name}: unknown kind ${kind}`);
  }
}

/** A batch's "member" line: its kind, then its fields (a heartbeat's entries are the batch's). */
function toMember(name: string, line: string, source: SourceId, seq: bigint, entries: string[]): Message {
  const [kind, ...parts] = line.split(' ') as [Kind, ...string[]];
  switch (kind) {
    case 'register':
    case 'unregister': {
      if (parts.length !== 5) throw new Error(`vector ${name}: member ${kind} needs 5 fields: ${line}`);
      const [backend, username, vuser, replicaGuid, replId] = parts as [string, string, string, string, string];
      return { kind, source, seq, command: { backend, username, vuser, replicaGuid, replId: Number(replId) } };
    }
    case 'heartbeat':
      if (parts.length !== 2) throw new Error(`vector ${name}: member heartbeat needs interval_ms and dropped: ${line}`);
      return { kind, source, seq, intervalMs: Number(parts[0]), dropped: BigInt(parts[1] as string), entries: entries.map((entry) => toEntry(name, entry)) };
    case 'goodbye':
      return { kind, source, seq };
    default:
      throw new Error(`vector ${name}: unknown member kind ${String(kind)}`);
  }
}

function toEntry(name: string, line: string): SnapshotEntry {
  const parts = line.split(' ');
  if (parts.length !== 6) throw new Error(`vector ${name}: entry needs 6 fields: ${line}`);
  const [backend, username, vuser, replicaGuid, replId, count] = parts as [string, string, string, string, string, string];
  return { backend, username, vuser, replicaGuid, replId: Number(replId), count: Number(count) };
}
