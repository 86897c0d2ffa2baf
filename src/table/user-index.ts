// SPDX-License-Identifier: GPL-3.0-or-later
import { splitTriple, tripleKey, type Triple } from '../protocol/triple.js';
import { Float64Column, Int32Column } from './columns.js';
import { hashIds, IdSlots } from './id-slots.js';
import { byCodeUnit, OrderedKeys } from './ordered-keys.js';
import type { Triples } from './triples.js';
import type { Page, UserFilter, UserRow } from './types.js';

export type Transition = 'registered' | 'unregistered' | undefined;

/**
 * Total count per triple over all live sources, plus three indexes kept as triples come and
 * go (a count change above 0 touches only the total): the triples in listing order (so a page
 * is read from its cursor, never by sorting the table), the usernames per (backend, vuser) so
 * that `registeredUsers` is one lookup, and the triples per username for `?username=`. The
 * last two are lists linked through the triples' numbers (two typed arrays each), and a hash
 * slot per pair finds the first triple of its list.
 */
export class UserIndex {
  private readonly totals = new Float64Column();
  private readonly pairPrevs = new Int32Column(-1);
  private readonly pairNexts = new Int32Column(-1);
  private readonly userPrevs = new Int32Column(-1);
  private readonly userNexts = new Int32Column(-1);
  /** The first triple of each username's list, by the username's string id. */
  private readonly userFirsts = new Int32Column(-1);
  /** The first triple of each (backend, vuser) pair's list. */
  private readonly pairFirsts: IdSlots;
  private readonly ordered: OrderedKeys<number, Triple>;
  private count = 0;

  constructor(private readonly triples: Triples) {
    this.pairFirsts = new IdSlots((id) => hashIds(triples.backendId(id), triples.vuserId(id)));
    this.ordered = new OrderedKeys<number, Triple>((a, b) => this.compare(a, b));
  }

  /** Distinct triples with a total > 0. */
  get size(): number {
    return this.count;
  }

  /** Adds `delta` (non-zero) to a triple's total and says whether it crossed 0. */
  add(triple: number, delta: number): Transition {
    this.totals.ensure(triple);
    const before = this.totals.get(triple);
    const after = before + delta;
    if (after < 0) throw new Error(`internal: triple total would be ${after}`);
    this.totals.set(triple, after);
    if (after === 0) {
      this.forgetUser(triple);
      return 'unregistered';
    }
    if (before > 0) return undefined;
    this.noteUser(triple);
    return 'registered';
  }

  /** Distinct usernames with a count > 0 for (backend, vuser), sorted by code unit. */
  usernames(backend: string, vuser: string): string[] {
    const { strings } = this.triples;
    const names: string[] = [];
    for (let id = this.pairFirst(strings.find(backend), strings.find(vuser)); id >= 0; id = this.pairNexts.get(id)) {
      names.push(this.triples.username(id));
    }
    return names.length > 1 ? names.sort(byCodeUnit) : names;
  }

  /**
   * Up to `limit` rows after the triple key `after`, in listing order (backend, username,
   * vuser), and the key to continue after when more may follow. A filter without an index
   * (vuser alone) examines at most `scanBudget` triples per page, so such a page can be short.
   */
  page(filter: UserFilter, after: string | undefined, limit: number, scanBudget = Number.POSITIVE_INFINITY): Page<UserRow> {
    const { strings } = this.triples;
    const [backend, username, vuser] = [filter.backend, filter.username, filter.vuser].map((text) => (text === undefined ? undefined : strings.find(text)));
    // A string the table does not hold matches no triple.
    if (backend === -1 || username === -1 || vuser === -1) return { rows: [], next: undefined };
    const rows: UserRow[] = [];
    let examined = 0;
    let lastExamined = -1;
    let lastRow = -1;
    for (const id of this.candidates({ backend, username, vuser }, after === undefined ? undefined : splitTriple(after))) {
      if (backend !== undefined && this.triples.backendId(id) !== backend) {
        if (username === undefined) break; // past the backend's range in listing order
        continue;
      }
      if (examined++ === scanBudget) return { rows, next: this.keyOf(lastExamined) };
      lastExamined = id;
      if (username !== undefined && this.triples.usernameId(id) !== username) continue;
      if (vuser !== undefined && this.triples.vuserId(id) !== vuser) continue;
      if (rows.length === limit) return { rows, next: this.keyOf(lastRow) };
      rows.push({ ...this.triples.fields(id), count: this.totals.get(id) });
      lastRow = id;
    }
    return { rows, next: undefined };
  }

  /** Rows sorted by backend, username, vuser (code unit order, locale-independent). */
  rows(filter: UserFilter = {}): UserRow[] {
    return this.page(filter, undefined, Number.POSITIVE_INFINITY).rows;
  }

  /**
   * The triples after `after` that can match the filter (string ids), in listing order, from
   * the one index that narrows it most.
   */
  private candidates(filter: { backend?: number; username?: number; vuser?: number }, after: Triple | undefined): Iterable<number> {
    const { backend, username, vuser } = filter;
    if (backend !== undefined && vuser !== undefined) return this.sortedAfter(this.pairFirst(backend, vuser), this.pairNexts, after);
    if (username !== undefined) return this.sortedAfter(this.userFirst(username), this.userNexts, after);
    if (backend !== undefined) {
      // The lowest position of the backend's range: no real triple has an empty username or vuser.
      const first = { backend: this.triples.strings.text(backend), username: '', vuser: '' };
      return this.ordered.after(after !== undefined && this.compare(after, first) > 0 ? after : first);
    }
    return this.ordered.after(after);
  }

  /** The list from `first` (linked by `nexts`), sorted, from the first triple after `after`. */
  private sortedAfter(first: number, nexts: Int32Column, after: Triple | undefined): number[] {
    const ids: number[] = [];
    for (let id = first; id >= 0; id = nexts.get(id)) if (after === undefined || this.compare(id, after) > 0) ids.push(id);
    return ids.sort((a, b) => this.compare(a, b));
  }

  /** The first triple of the pair's list, or -1. */
  private pairFirst(backend: number, vuser: number): number {
    if (backend < 0 || vuser < 0) return -1;
    const slots = this.pairFirsts;
    for (let slot = slots.first(hashIds(backend, vuser)); ; slot = slots.next(slot)) {
      const id = slots.at(slot);
      if (id < 0 || (this.triples.backendId(id) === backend && this.triples.vuserId(id) === vuser)) return id;
    }
  }

  /** The first triple of the username's list, or -1. */
  private userFirst(username: number): number {
    this.userFirsts.ensure(username);
    return this.userFirsts.get(username);
  }

  private noteUser(triple: number): void {
    const { triples } = this;
    this.count++;
    this.ordered.add(triple);
    this.pairPrevs.ensure(triple);
    this.pairNexts.ensure(triple);
    this.userPrevs.ensure(triple);
    this.userNexts.ensure(triple);
    // Each list takes the triple second (after its first), or as its first.
    const pairFirst = this.pairFirst(triples.backendId(triple), triples.vuserId(triple));
    if (pairFirst < 0) {
      this.pairFirsts.add(triple, hashIds(triples.backendId(triple), triples.vuserId(triple)));
      link(this.pairPrevs, this.pairNexts, -1, triple, -1);
    } else {
      link(this.pairPrevs, this.pairNexts, pairFirst, triple, this.pairNexts.get(pairFirst));
    }
    const username = triples.usernameId(triple);
    link(this.userPrevs, this.userNexts, -1, triple, this.userFirst(username));
    this.userFirsts.set(username, triple);
  }

  private forgetUser(triple: number): void {
    this.count--;
    this.ordered.delete(triple);
    const pairNext = this.pairNexts.get(triple);
    if (this.pairPrevs.get(triple) >= 0) unlink(this.pairPrevs, this.pairNexts, triple);
    else if (pairNext >= 0) {
      this.pairFirsts.replace(triple, pairNext);
      this.pairPrevs.set(pairNext, -1);
    } else this.pairFirsts.remove(triple);
    const userNext = this.userNexts.get(triple);
    if (this.userPrevs.get(triple) >= 0) unlink(this.userPrevs, this.userNexts, triple);
    else {
      this.userFirsts.set(this.triples.usernameId(triple), userNext);
      if (userNext >= 0) this.userPrevs.set(userNext, -1);
    }
  }

  /** Listing order: backend, username, vuser, each in code-unit order. */
  private compare(a: number | Triple, b: number | Triple): number {
    if (typeof a !== 'number' || typeof b !== 'number') {
      const x = typeof a === 'number' ? this.triples.fields(a) : a;
      const y = typeof b === 'number' ? this.triples.fields(b) : b;
      return byCodeUnit(x.backend, y.backend) || byCodeUnit(x.username, y.username) || byCodeUnit(x.vuser, y.vuser);
    }
    const { triples } = this;
    return (
      this.compareStrings(triples.backendId(a), triples.backendId(b)) ||
      this.compareStrings(triples.usernameId(a), triples.usernameId(b)) ||
      this.compareStrings(triples.vuserId(a), triples.vuserId(b))
    );
  }

  private compareStrings(a: number, b: number): number {
    return a === b ? 0 : byCodeUnit(this.triples.strings.text(a), this.triples.strings.text(b));
  }

  private keyOf(triple: number): string {
    return tripleKey(this.triples.backend(triple), this.triples.username(triple), this.triples.vuser(triple));
  }
}

/** Puts `id` between `prev` and `next` (-1: an end of the list). */
function link(prevs: Int32Column, nexts: Int32Column, prev: number, id: number, next: number): void {
  prevs.set(id, prev);
  nexts.set(id, next);
  if (prev >= 0) nexts.set(prev, id);
  if (next >= 0) prevs.set(next, id);
}

/** Takes `id`, which has a predecessor, out of its list. */
function unlink(prevs: Int32Column, nexts: Int32Column, id: number): void {
  const prev = prevs.get(id);
  const next = nexts.get(id);
  nexts.set(prev, next);
  if (next >= 0) prevs.set(next, prev);
}
