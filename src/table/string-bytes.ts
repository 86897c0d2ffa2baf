// SPDX-License-Identifier: GPL-3.0-or-later
// Strings kept as their UTF-16 code units in one growable buffer instead of one JavaScript string
// each: V8 spends 16 bytes of header per string and rounds it up to 8 bytes, and an array of
// them 8 bytes more per slot, so a 10-character username cost 40 bytes; here it costs 11.
//
// A string is a header, the LEB128 varint `units * 2 + wide`, then its code units: one byte each
// when all are below 256 (Latin-1, what V8 itself does for such strings), else two, little-endian
// ("wide"). Code units, not UTF-8: every JavaScript string round-trips exactly (lone surrogates
// and NUL included) and comparing units gives the order of JavaScript's `<` with no special case
// for characters above U+FFFF. The form is canonical (narrow whenever it can be), so two strings
// are equal exactly when their bytes are.
import { randomInt } from 'node:crypto';
import { mix } from './id-slots.js';

/**
 * Seeded per process, as V8 seeds its own string hashes, so that a sender cannot prepare
 * strings that collide on every notifier.
 */
const SEED = randomInt(0x7fff_ffff);
const FNV_PRIME = 0x01000193;

/** The hash of a string, the same whether given as text (`hashString`) or stored (`hashAt`). */
export function hashString(value: string): number {
  let h = SEED;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), FNV_PRIME);
  return mix(h);
}

/**
 * The bytes of strings, each addressed by the offset `append` gave it until `free`. When the
 * buffer is full, `append` copies the strings not freed into a new one, so the space of the
 * freed ones is taken back then; the owner, who knows where its strings are, moves them.
 */
export class StringBytes {
  private bytes = Buffer.alloc(256);
  private end = 0;
  /** Bytes of the strings not freed. */
  private liveBytes = 0;

  /**
   * `moveAll` calls its argument once per string not freed, with its offset, and stores the
   * offset it returns (the string's place in the new buffer).
   */
  constructor(private readonly moveAll: (move: (offset: number) => number) => void) {}

  /** Bytes of the buffer: the strings not freed, those freed since the last copy, room. */
  get capacity(): number {
    return this.bytes.length;
  }

  /** Stores `value`; returns its offset. */
  append(value: string): number {
    const units = value.length;
    let wide = 0;
    for (let i = 0; i < units; i++) {
      if (value.charCodeAt(i) > 0xff) {
        wide = 1;
        break;
      }
    }
    const header = units * 2 + wide;
    const size = varintSize(header) + (units << wide);
    if (this.end + size > this.bytes.length) this.makeRoom(size);
    const at = this.end;
    const p = writeVarint(this.bytes, at, header);
    if (units > 0) this.bytes.write(value, p, units << wide, wide === 1 ? 'utf16le' : 'latin1');
    this.end = p + (units << wide);
    this.liveBytes += size;
    return at;
  }

  /** Lets go of the string at `at`: its bytes are reused once the buffer is next copied. */
  free(at: number): void {
    this.liveBytes -= this.lengthAt(at);
  }

  text(at: number): string {
    const header = this.header(at);
    const p = at + varintSize(header);
    return this.bytes.toString(header & 1 ? 'utf16le' : 'latin1', p, p + byteLength(header));
  }

  /** Whether the string at `at` is `value`, without making a string of it. */
  equals(at: number, value: string): boolean {
    const header = this.header(at);
    if (header >>> 1 !== value.length) return false;
    const b = this.bytes;
    const p = at + varintSize(header);
    if (header & 1) {
      for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) !== ((b[p + 2 * i] as number) | ((b[p + 2 * i + 1] as number) << 8))) return false;
    } else {
      for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) !== b[p + i]) return false;
    }
    return true;
  }

  /** The order of the strings at `a` and `b` as JavaScript's `<` orders them (code units). */
  compare(a: number, b: number): number {
    const ha = this.header(a);
    const hb = this.header(b);
    const pa = a + varintSize(ha);
    const pb = b + varintSize(hb);
    const n = Math.min(ha >>> 1, hb >>> 1);
    if (((ha | hb) & 1) === 0) {
      // Both one byte a unit (the usual case): bytes compare as units.
      const bytes = this.bytes;
      for (let i = 0; i < n; i++) {
        const diff = (bytes[pa + i] as number) - (bytes[pb + i] as number);
        if (diff !== 0) return diff;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const diff = this.unit(pa, ha, i) - this.unit(pb, hb, i);
        if (diff !== 0) return diff;
      }
    }
    return (ha >>> 1) - (hb >>> 1);
  }

  /** The order of the string at `at` and `value` as JavaScript's `<` orders them. */
  compareText(at: number, value: string): number {
    const header = this.header(at);
    const p = at + varintSize(header);
    const n = Math.min(header >>> 1, value.length);
    for (let i = 0; i < n; i++) {
      const diff = this.unit(p, header, i) - value.charCodeAt(i);
      if (diff !== 0) return diff;
    }
    return (header >>> 1) - value.length;
  }

  /** `hashString` of the string at `at`. */
  hashAt(at: number): number {
    const header = this.header(at);
    const p = at + varintSize(header);
    let h = SEED;
    for (let i = 0; i < header >>> 1; i++) h = Math.imul(h ^ this.unit(p, header, i), FNV_PRIME);
    return mix(h);
  }

  private unit(p: number, header: number, i: number): number {
    const b = this.bytes;
    return header & 1 ? (b[p + 2 * i] as number) | ((b[p + 2 * i + 1] as number) << 8) : (b[p + i] as number);
  }

  private header(at: number): number {
    const b = this.bytes;
    let value = 0;
    let shift = 0;
    for (let p = at; ; p++, shift += 7) {
      const byte = b[p] as number;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  }

  /**
   * Moves the strings into a new buffer with room for `size` bytes more and half as much again,
   * so that growth costs amortized O(1) per byte. Where a quarter or more of the bytes are of
   * strings freed, only the live ones are copied (a walk over them all, the owner's `moveAll`),
   * which takes their space back; otherwise the buffer is copied whole, in one native copy.
   */
  private makeRoom(size: number): void {
    const old = this.bytes;
    if (4 * (this.end - this.liveBytes) < this.end) {
      this.bytes = Buffer.alloc(Math.ceil((this.end + size) * 1.5));
      old.copy(this.bytes, 0, 0, this.end);
      return;
    }
    const next = Buffer.alloc(Math.max(256, Math.ceil((this.liveBytes + size) * 1.5)));
    let end = 0;
    this.moveAll((at) => {
      const length = this.lengthAt(at);
      // Byte by byte: most strings are short, where a native copy's call costs more.
      if (length < 64) for (let i = 0; i < length; i++) next[end + i] = old[at + i] as number;
      else old.copy(next, end, at, at + length);
      const moved = end;
      end += length;
      return moved;
    });
    this.bytes = next;
    this.end = end;
  }

  /** Bytes of the string at `at`, header included. */
  private lengthAt(at: number): number {
    const header = this.header(at);
    return varintSize(header) + byteLength(header);
  }
}

// A header fits in 31 bits: V8's strings hold fewer than 2^30 code units.
function byteLength(header: number): number {
  return (header >>> 1) << (header & 1);
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v >>>= 7) size++;
  return size;
}

function writeVarint(b: Buffer, at: number, value: number): number {
  let p = at;
  let v = value;
  for (; v >= 0x80; v >>>= 7) b[p++] = (v & 0x7f) | 0x80;
  b[p++] = v;
  return p;
}
