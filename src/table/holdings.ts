// SPDX-License-Identifier: GPL-3.0-or-later
// What each source holds: one record per (source, triple) with its count (> 0) and the last
// replica (GUID and id) the source gave for it, found by one hash probe, and linked in its
// source's list, so a source's set is walked without a Map per source. Sources are named by
// their numbers (source.ts), which also index the lists' ends and lengths.
import { CountColumn, Ids, Int32Column, Uint16Column } from './columns.js';
import { hashIds, IdSlots } from './id-slots.js';
import type { StringPool } from './string-pool.js';

export class Holdings {
  private readonly sources = new Int32Column();
  private readonly triples = new Int32Column();
  private readonly counts = new CountColumn();
  private readonly prevs = new Int32Column(-1);
  private readonly nexts = new Int32Column(-1);
  /** The replica GUID's string number (-1 until set), and the replica id. */
  private readonly guids = new Int32Column(-1);
  private readonly replIds = new Uint16Column();
  private readonly ids = new Ids();
  /** Per source number: the first and last holding of its list (-1 when empty), and its length. */
  private readonly firsts = new Int32Column(-1);
  private readonly lasts = new Int32Column(-1);
  private readonly sizes = new Int32Column();
  private readonly slots = new IdSlots((id) => hashIds(this.sources.get(id), this.triples.get(id)));

  constructor(private readonly strings: StringPool) {}

  /** The holding of `triple` by source number `source`, or -1. */
  find(source: number, triple: number): number {
    for (let slot = this.slots.first(hashIds(source, triple)); ; slot = this.slots.next(slot)) {
      const id = this.slots.at(slot);
      if (id < 0 || (this.sources.get(id) === source && this.triples.get(id) === triple)) return id;
    }
  }

  /** Makes source number `source` valid, its list empty; before any other use of the number. */
  open(source: number): void {
    this.firsts.ensure(source);
    this.lasts.ensure(source);
    this.sizes.ensure(source);
  }

  /** The first holding of source `source`'s list, or -1. */
  first(source: number): number {
    return this.firsts.get(source);
  }

  /** Holdings in source `source`'s list: the distinct triples it holds. */
  size(source: number): number {
    return this.sizes.get(source);
  }

  /** Appends a holding of `triple` with `count` to source `source`'s list; returns its id. */
  add(source: number, triple: number, count: number): number {
    const id = this.ids.take();
    this.sources.ensure(id);
    this.triples.ensure(id);
    this.counts.ensure(id);
    this.prevs.ensure(id);
    this.nexts.ensure(id);
    this.guids.ensure(id);
    this.replIds.ensure(id);
    this.guids.set(id, -1);
    this.sources.set(id, source);
    this.triples.set(id, triple);
    this.counts.set(id, count);
    const last = this.lasts.get(source);
    this.prevs.set(id, last);
    this.nexts.set(id, -1);
    if (last >= 0) this.nexts.set(last, id);
    else this.firsts.set(source, id);
    this.lasts.set(source, id);
    this.sizes.set(source, this.sizes.get(source) + 1);
    this.slots.add(id, hashIds(source, triple));
    return id;
  }

  remove(id: number): void {
    this.slots.remove(id);
    const guid = this.guids.get(id);
    if (guid >= 0) this.strings.release(guid);
    this.counts.set(id, 0); // lets go of a count kept aside
    const source = this.sources.get(id);
    this.unlink(source, id);
    this.sizes.set(source, this.sizes.get(source) - 1);
    this.ids.give(id);
  }

  /** Moves holding `id` to the end of its list. */
  moveToEnd(id: number): void {
    const source = this.sources.get(id);
    const last = this.lasts.get(source);
    if (last === id) return;
    this.unlink(source, id);
    this.prevs.set(id, last);
    this.nexts.set(id, -1);
    this.nexts.set(last, id);
    this.lasts.set(source, id);
  }

  triple(id: number): number {
    return this.triples.get(id);
  }

  count(id: number): number {
    return this.counts.get(id);
  }

  setCount(id: number, count: number): void {
    this.counts.set(id, count);
  }

  private unlink(source: number, id: number): void {
    const prev = this.prevs.get(id);
    const next = this.nexts.get(id);
    if (prev >= 0) this.nexts.set(prev, next);
    else this.firsts.set(source, next);
    if (next >= 0) this.prevs.set(next, prev);
    else this.lasts.set(source, prev);
  }

  /** Records the replica the source last gave for the holding's triple. */
  setReplica(id: number, replicaGuid: string, replId: number): void {
    const old = this.guids.get(id);
    // Compared first, so the common case (the same replica again) looks nothing up.
    if (old < 0 || !this.strings.is(old, replicaGuid)) {
      this.guids.set(id, this.strings.retain(replicaGuid));
      if (old >= 0) this.strings.release(old);
    }
    this.replIds.set(id, replId);
  }

  replica(id: number): { replicaGuid: string; replId: number } {
    return { replicaGuid: this.strings.text(this.guids.get(id)), replId: this.replIds.get(id) };
  }

  /** The holding after `id` in its list, or -1. */
  next(id: number): number {
    return this.nexts.get(id);
  }
}
