// SPDX-License-Identifier: GPL-3.0-or-later
// The table's strings (backends, usernames, vusers), each held once and named by a number, so
// that a triple is three numbers and a string shared by many triples (a backend, a vuser with
// many users) costs its bytes once.
import { Ids, Int32Column } from './columns.js';
import { hashString, IdSlots } from './id-slots.js';

export class StringPool {
  private readonly strings: (string | undefined)[] = [];
  /** References per string; a string goes when its last reference is released. */
  private readonly refs = new Int32Column();
  private readonly ids = new Ids();
  private readonly slots = new IdSlots((id) => hashString(this.text(id)));

  /** Distinct strings held. */
  get size(): number {
    return this.slots.size;
  }

  /** The id of `value`, or -1 when the pool does not hold it. */
  find(value: string): number {
    return this.probe(value, hashString(value));
  }

  /** The id of `value`, added if new, with one more reference. */
  retain(value: string): number {
    const hash = hashString(value);
    let id = this.probe(value, hash);
    if (id < 0) {
      id = this.ids.take();
      this.strings[id] = value;
      this.refs.ensure(id);
      this.slots.add(id, hash);
    }
    this.refs.set(id, this.refs.get(id) + 1);
    return id;
  }

  /** Drops one reference to `id`; the string goes with its last one. */
  release(id: number): void {
    const refs = this.refs.get(id) - 1;
    this.refs.set(id, refs);
    if (refs > 0) return;
    this.slots.remove(id);
    this.strings[id] = undefined;
    this.ids.give(id);
  }

  text(id: number): string {
    return this.strings[id] as string;
  }

  private probe(value: string, hash: number): number {
    for (let slot = this.slots.first(hash); ; slot = this.slots.next(slot)) {
      const id = this.slots.at(slot);
      if (id < 0 || this.strings[id] === value) return id;
    }
  }
}
