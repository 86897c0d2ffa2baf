// SPDX-License-Identifier: GPL-3.0-or-later
// An open-addressing hash table of record ids (linear probing, at most half full), the table's
// replacement for a Map keyed by strings or tuples: a Map entry costs 30-40 bytes and its key
// one more object, a slot here 4 bytes (8 per id at the load it keeps). The owner knows each
// id's key: it gives the key's hash to `add`, compares keys itself while it probes, and gives
// `hashOf` for the ids stored, which the table needs when it grows and when it removes one.

const EMPTY = 0;

export class IdSlots {
  /** id + 1 per slot; EMPTY where there is none. */
  private slots = new Int32Array(16);
  private mask = 15;
  private count = 0;

  constructor(private readonly hashOf: (id: number) => number) {}

  get size(): number {
    return this.count;
  }

  /** The slot where a probe for `hash` starts; then `next` until `at` says -1. */
  first(hash: number): number {
    return hash & this.mask;
  }

  next(slot: number): number {
    return (slot + 1) & this.mask;
  }

  /** The id in `slot`, or -1 for an empty slot (which ends a probe: the key is not stored). */
  at(slot: number): number {
    return (this.slots[slot] as number) - 1;
  }

  /** Stores `id`, whose key hashes to `hash` and is not stored yet. */
  add(id: number, hash: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    this.place(id, hash);
    this.count++;
  }

  /** Removes `id`, moving back the ids after it that probing would no longer find. */
  remove(id: number): void {
    const { slots, mask } = this;
    let hole = this.slotOf(id);
    for (let slot = (hole + 1) & mask; slots[slot] !== EMPTY; slot = (slot + 1) & mask) {
      const home = this.hashOf((slots[slot] as number) - 1) & mask;
      // The id in `slot` may move to the hole unless its home lies cyclically in (hole, slot].
      const stays = hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (stays) continue;
      slots[hole] = slots[slot] as number;
      hole = slot;
    }
    slots[hole] = EMPTY;
    this.count--;
  }

  private slotOf(id: number): number {
    for (let slot = this.first(this.hashOf(id)); ; slot = this.next(slot)) {
      const stored = this.slots[slot] as number;
      if (stored === id + 1) return slot;
      if (stored === EMPTY) throw new Error(`internal: id ${id} is not stored`);
    }
  }

  private place(id: number, hash: number): void {
    let slot = hash & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = id + 1;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (const stored of old) if (stored !== EMPTY) this.place(stored - 1, this.hashOf(stored - 1));
  }
}

/** Scrambles 32 bits so that every bit of the input moves the low bits a slot is taken from. */
export function mix(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash of two or three ids. */
export function hashIds(a: number, b: number, c = 0): number {
  return mix(Math.imul(mix(Math.imul(a, 0x9e3779b1) ^ b), 0x9e3779b1) ^ c);
}
