// SPDX-License-Identifier: GPL-3.0-or-later
/** Reads the golden vectors of test/vectors/protocol-v1.txt (format described in its header). */
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { REJECT_REASONS, type Kind, type Message, type RejectReason, type SnapshotEntry, type UserCommand } from '../../src/protocol/types.js';
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
  /** Set for a valid frame: what it decodes to. */
  message?: Message;
}

const VECTORS_FILE = fileURLToPath(new URL('../vectors/protocol-v1.txt', import.meta.url));

export function loadVectors(path = VECTORS_FILE): Vector[] {
  return readVectorBlocks(path, ['entry', 'frame']).map((block) =>
    toVector(block.name, block.fields, block.lists.get('entry') ?? [], block.lists.get('frame') ?? []),
  );
}

function toVector(name: string, fields: Map<string, string>, entries: string[], frameLines: string[]): Vector {
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
  const kind = field('kind') as Kind;
  const source = { host: field('host'), pid: Number(field('pid')), epoch: field('epoch') };
  const seq = BigInt(field('seq'));
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
      return { name, frames, frame, message: { kind, source, seq, command: command() } };
    case 'heartbeat':
      return {
        name,
        frames,
        frame,
        message: {
          kind,
          source,
          seq,
          intervalMs: Number(field('interval_ms')),
          dropped: BigInt(field('dropped')),
          entries: entries.map((line) => toEntry(name, line)),
        },
      };
    case 'goodbye':
      return { name, frames, frame, message: { kind, source, seq } };
    default:
      throw new Error(`vector ${name}: unknown kind ${String(kind)}`);
  }
}

function toEntry(name: string, line: string): SnapshotEntry {
  const parts = line.split(' ');
  if (parts.length !== 6) throw new Error(`vector ${name}: entry needs 6 fields: ${line}`);
  const [backend, username, vuser, replicaGuid, replId, count] = parts as [string, string, string, string, string, string];
  return { backend, username, vuser, replicaGuid, replId: Number(replId), count: Number(count) };
}
