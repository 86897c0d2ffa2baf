// SPDX-License-Identifier: GPL-3.0-or-later
// GUID text (8-4-4-4-12 hex digits) to its 16-byte wire form (docs/protocol.md: time_low,
// time_mid and time_hi_and_version little-endian, then clock_seq and node as written).

const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The wire form of `text`, or undefined when it is not a GUID in 8-4-4-4-12 form. */
export function guidToWire(text: string): Uint8Array | undefined {
  if (!GUID_TEXT.test(text)) return undefined;
  const hex = text.replaceAll('-', '');
  const wire = Buffer.alloc(16);
  wire.writeUInt32LE(parseInt(hex.slice(0, 8), 16), 0);
  wire.writeUInt16LE(parseInt(hex.slice(8, 12), 16), 4);
  wire.writeUInt16LE(parseInt(hex.slice(12, 16), 16), 6);
  wire.write(hex.slice(16), 8, 'hex');
  return wire;
}
