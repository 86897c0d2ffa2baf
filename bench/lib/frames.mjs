// SPDX-License-Identifier: GPL-3.0-or-later
// Encodes wire-protocol v1 heartbeats (docs/protocol.md) for drivers that pretend to be many
// sender processes.
const KIND_HEARTBEAT = 3;
const ZERO_GUID = Buffer.alloc(16);

class Writer {
  constructor() {
    this.parts = [];
  }

  u8(value) {
    this.parts.push(Buffer.from([value]));
  }

  uint(value, bytes) {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.parts.push(buffer.subarray(0, bytes));
  }

  str8(text) {
    const bytes = Buffer.from(text, 'utf8');
    this.u8(bytes.length);
    this.parts.push(bytes);
  }

  bytes(buffer) {
    this.parts.push(buffer);
  }

  done() {
    return Buffer.concat(this.parts);
  }
}

function header(writer, source, seq) {
  writer.u8(1);
  writer.u8(KIND_HEARTBEAT);
  writer.uint(source.pid, 4);
  writer.uint(source.epoch, 8);
  writer.uint(seq, 8);
  writer.str8(source.host);
}

function command(writer, { backend, username, vuser }) {
  writer.str8(backend);
  writer.str8(username);
  writer.str8(vuser);
  writer.bytes(ZERO_GUID);
  writer.uint(1, 2);
}

/**
 * A heartbeat of `source` ({host, pid, epoch (bigint)}): a snapshot of `entries`
 * ({backend, username, vuser, count}) announcing `intervalMs`.
 */
export function encodeHeartbeat(source, seq, intervalMs, entries) {
  const writer = new Writer();
  header(writer, source, seq);
  writer.uint(intervalMs, 4);
  writer.uint(0, 8);
  writer.uint(entries.length, 4);
  for (const entry of entries) {
    command(writer, entry);
    writer.uint(entry.count, 4);
  }
  return writer.done();
}
