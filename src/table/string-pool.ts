// SPDX-License-Identifier: GPL-3.0-or-later
// The table's strings (backends, usernames, vusers, replica GUIDs), each held once and named by
// a number, so that a triple is three numbers and a string shared by many triples (a backend, a
// vuser with many users) costs its bytes once. The strings themselves are bytes in one buffer
// (string-bytes.ts), not JavaScript strings: a string is made only when a query asks for one.
import { CountColumn, Ids, Int32Column } from './columns.js';
import { IdSlots } from './id-slots.js';
import { hashString, StringBytes } from './string-bytes.js';

/** How many strings the pool keeps as matched or made lately (a power of two). */
const RECENT = 1024;
/** How many hashes of strings looked up lately the pool keeps, by length (a power of two). */
const HASHED = 64;

export class StringPool {
  /** Where each string's bytes start. */
  private readonly starts = new Int32Column();
  /** References per string (0 for a free number); a string goes with its last reference. */
  private readonly refs = new CountColumn();
  private readonly ids = new Ids();
  private readonly bytes = new StringBytes((move) => {
    for (let id = 0; id < this.ids.span; id++) if (this.holds(id) || this.isKept(id)) this.starts.set(id, move(this.starts.get(id)));
  });
  private readonly slots = new IdSlots((id) => this.bytes.hashAt(this.starts.get(id)));
  /**
   * Strings matched or made lately, by id (`id % RECENT`): matching one again (a backend, a
   * replica GUID) is then one native `===` rather than a compare with its bytes in JavaScript,
   * about 2 ns a character, and a query that names it again makes no new string.
   */
  private readonly recentTexts: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  private readonly recentIds = new Int32Array(RECENT).fill(-1);
  /**
   * Strings released lately, by id (`id % keep`), kept findable with no reference until another
   * takes their place: a register often names again what an unregister just released (a user
   * logging in again, a backend or GUID many share), and taking a kept string back saves
   * removing it (rehashing the strings after it), freeing its bytes, and adding it again.
   * An id here with references was taken back; one without is kept.
   */
  private readonly keptIds: Int32Array;
  private keptCount = 0;
  /**
   * The last string looked up of each length (`length % HASHED`) and its hash: a string named
   * again and again (a backend, a replica GUID, the user a register and its unregister name) is
   * then hashed by one native `===`, often of the very same string, not by a loop over its
   * characters in JavaScript (about 1 ns a character).
   */
  private readonly hashedTexts: string[] = new Array<string>(HASHED).fill('');
  private readonly hashes = new Int32Array(HASHED).fill(hashString(''));

  /** `keep`: at most how many released strings to keep (0, or a power of two). */
  constructor(keep = 0) {
    this.keptIds = new Int32Array(keep).fill(-1);
  }

  /** Distinct strings held. */
  get size(): number {
    return this.slots.size - this.keptCount;
  }

  /** Bytes of the buffer holding the strings (what they take, with room to grow). */
  get capacity(): number {
    return this.bytes.capacity;
  }

  /** Every id held is below this. */
  get span(): number {
    return this.ids.span;
  }

  /** Whether `id` names a string held. */
  holds(id: number): boolean {
    return id < this.ids.span && this.refs.get(id) > 0;
  }

  /** The id of `value`, or -1 when the pool does not hold it. */
  find(value: string): number {
    const id = this.probe(value, this.hash(value));
    return id >= 0 && this.refs.get(id) > 0 ? id : -1;
  }

  /** The id of `value`, added if new, with one more reference. */
  retain(value: string): number {
    const hash = this.hash(value);
    let id = this.probe(value, hash);
    if (id < 0) {
      id = this.ids.take();
      this.starts.ensure(id);
      this.refs.ensure(id);
      this.starts.set(id, this.bytes.append(value));
      this.slots.add(id, hash);
    } else if (this.refs.get(id) === 0) {
      this.keptCount--; // taken back
    }
    this.refs.set(id, this.refs.get(id) + 1);
    return id;
  }

  /** Drops one reference to `id`; the string goes with its last one. */
  release(id: number): void {
    const refs = this.refs.get(id) - 1;
    this.refs.set(id, refs);
    if (refs > 0) return;
    this.keptCount++;
    if (this.keptIds.length === 0) return this.free(id);
    const kept = id & (this.keptIds.length - 1);
    const other = this.keptIds[kept] as number;
    if (other !== id) {
      if (other >= 0 && this.refs.get(other) === 0) this.free(other);
      this.keptIds[kept] = id;
    }
  }

  /** Whether `id` is a string released and kept (findable, with no reference). */
  private isKept(id: number): boolean {
    return this.keptIds.length > 0 && this.keptIds[id & (this.keptIds.length - 1)] === id && this.refs.get(id) === 0;
  }

  /** Lets go of kept string `id`: its bytes, its slot and its number. */
  private free(id: number): void {
    const recent = id & (RECENT - 1);
    if (this.recentIds[recent] === id) {
      this.recentIds[recent] = -1;
      this.recentTexts[recent] = undefined;
    }
    this.keptCount--;
    this.slots.remove(id);
    this.bytes.free(this.starts.get(id));
    this.ids.give(id);
  }

  /** The string `id` as a JavaScript string (made from its bytes unless matched or made lately). */
  text(id: number): string {
    const recent = id & (RECENT - 1);
    if (this.recentIds[recent] === id) return this.recentTexts[recent] as string;
    const text = this.bytes.text(this.starts.get(id));
    this.remember(id, text);
    return text;
  }

  /** Whether string `id` is `value`, without making a string of it. */
  is(id: number, value: string): boolean {
    const recent = id & (RECENT - 1);
    if (this.recentIds[recent] === id) return this.recentTexts[recent] === value;
    if (!this.bytes.equals(this.starts.get(id), value)) return false;
    this.remember(id, value);
    return true;
  }

  private remember(id: number, text: string): void {
    const recent = id & (RECENT - 1);
    this.recentIds[recent] = id;
    this.recentTexts[recent] = text;
  }

  /** The order of strings `a` and `b` as JavaScript's `<` orders them (code units). */
  compare(a: number, b: number): number {
    return a === b ? 0 : this.bytes.compare(this.starts.get(a), this.starts.get(b));
  }

  /** The order of string `id` and `value` as JavaScript's `<` orders them. */
  compareText(id: number, value: string): number {
    return this.bytes.compareText(this.starts.get(id), value);
  }

  private hash(value: string): number {
    const at = value.length & (HASHED - 1);
    if (this.hashedTexts[at] === value) return this.hashes[at] as number;
    const hash = hashString(value);
    this.hashedTexts[at] = value;
    this.hashes[at] = hash;
    return hash;
  }

  private probe(value: string, hash: number): number {
    for (let slot = this.slots.first(hash); ; slot = this.slots.next(slot)) {
      const id = this.slots.at(slot);
      if (id < 0 || this.is(id, value)) return id;
    }
  }
}
