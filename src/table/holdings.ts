// SPDX-License-Identifier: GPL-3.0-or-later
// What each source holds: one record per (source, triple) with its count (> 0) and the last
// replica (GUID and id) the source gave for it, found by one hash probe, and linked in its
// source's list, so a source's set is walked without a Map per source.
import { CountColumn, Ids, Int32Column, Uint16Column } from './columns.js';
import { hashIds, IdSlots } from './id-slots.js';
import type { StringPool } from './string-pool.js';

/** The part of a source the holdings keep up to date: its number and its list. */
export interface HoldingList {
  /** The source's number, unique among live sources. */
  readonly no: number;
  /** The first and last holding of the list, -1 when empty. */
  first: number;
  last: number;
  /** Holdings in the list: distinct triples the source holds. */
  size: number;
}

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
  private readonly slots = new IdSlots((id) => hashIds(this.sources.get(id), this.triples.get(id)));

  constructor(private readonly strings: StringPool) {}

  /** The holding of `triple` by source number `source`, or -1. */
  find(source: number, triple: number): number {
    for (let slot = this.slots.first(hashIds(source, triple)); ; slot = this.slots.next(slot)) {
      const id = this.slots.at(slot);
      if (id < 0 || (this.sources.get(id) === source && this.triples.get(id) === triple)) return id;
    }
  }

  /** Appends a holding of `triple` with `count` to `list`; returns its id. */
  add(list: HoldingList, triple: number, count: number): number {
    const id = this.ids.take();
    this.sources.ensure(id);
    this.triples.ensure(id);
    this.counts.ensure(id);
    this.prevs.ensure(id);
    this.nexts.ensure(id);
    this.guids.ensure(id);
    this.replIds.ensure(id);
    this.guids.set(id, -1);
    this.sources.set(id, list.no);
    this.triples.set(id, triple);
    this.counts.set(id, count);
    this.prevs.set(id, list.last);
    this.nexts.set(id, -1);
    if (list.last >= 0) this.nexts.set(list.last, id);
    else list.first = id;
    list.last = id;
    list.size++;
    this.slots.add(id, hashIds(list.no, triple));
    return id;
  }

  remove(list: HoldingList, id: number): void {
    this.slots.remove(id);
    const guid = this.guids.get(id);
    if (guid >= 0) this.strings.release(guid);
    this.counts.set(id, 0); // lets go of a count kept aside
    this.unlink(list, id);
    list.size--;
    this.ids.give(id);
  }

  /** Moves holding `id` to the end of its list. */
  moveToEnd(list: HoldingList, id: number): void {
    if (list.last === id) return;
    this.unlink(list, id);
    this.prevs.set(id, list.last);
    this.nexts.set(id, -1);
    this.nexts.set(list.last, id);
    list.last = id;
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

  private unlink(list: HoldingList, id: number): void {
    const prev = this.prevs.get(id);
    const next = this.nexts.get(id);
    if (prev >= 0) this.nexts.set(prev, next);
    else list.first = next;
    if (next >= 0) this.prevs.set(next, prev);
    else list.last = prev;
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
