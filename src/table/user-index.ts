// SPDX-License-Identifier: GPL-3.0-or-later
import { splitTriple, tripleKey, type Triple } from '../protocol/triple.js';
import { CountColumn, Int32Column } from './columns.js';
import { byCodeUnit, OrderedKeys } from './ordered-keys.js';
import type { Triples } from './triples.js';
import type { Page, UserFilter, UserRow } from './types.js';

export type Transition = 'registered' | 'unregistered' | undefined;

/**
 * Total count per triple over all live sources, plus three indexes kept as triples come and
 * go (a count change above 0 touches only the total): the triples in listing order (so a page
 * is read from its cursor, never by sorting the table), the triples per vuser (for
 * `registeredUsers`, which keeps those of its backend) and the triples per username (for
 * `?username=`). The last two are lists linked through the triples' numbers (two typed arrays
 * each), whose first triple is found by the string's number.
 */
export class UserIndex {
  private readonly totals = new CountColumn();
  private readonly vuserList = new TripleList();
  private readonly usernameList = new TripleList();
  private readonly ordered: OrderedKeys<number, Triple>;
  private count = 0;

  constructor(private readonly triples: Triples) {
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
    const backendId = strings.find(backend);
    const names: string[] = [];
    if (backendId < 0) return names;
    for (let id = this.vuserList.first(strings.find(vuser)); id >= 0; id = this.vuserList.next(id)) {
      if (this.triples.backendId(id) === backendId) names.push(this.triples.username(id));
    }
    return names.length > 1 ? names.sort(byCodeUnit) : names;
  }

  /**
   * Up to `limit` rows after the triple key `after`, in listing order (backend, username,
   * vuser), and the key to continue after when more may follow. A filter without an index
   * (vuser alone) examines at most `scanBudget` triples per page, so such a page can be short.
   */
  page(filter: UserFilter, after: string | undefined, limit: number, scanBudget = Number.POSITIVE_INFINITY): Page<UserRow> {
    const backend = this.stringId(filter.backend);
    const username = this.stringId(filter.username);
    const vuser = this.stringId(filter.vuser);
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
      rows.push({ backend: this.triples.backend(id), username: this.triples.username(id), vuser: this.triples.vuser(id), count: this.totals.get(id) });
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
    if (backend !== undefined && vuser !== undefined) return this.sortedAfter(this.vuserList, vuser, after, backend);
    if (username !== undefined) return this.sortedAfter(this.usernameList, username, after);
    if (backend !== undefined) {
      // The lowest position of the backend's range: no real triple has an empty username or vuser.
      const first = { backend: this.triples.strings.text(backend), username: '', vuser: '' };
      return this.ordered.after(after !== undefined && this.compare(after, first) > 0 ? after : first);
    }
    return this.ordered.after(after);
  }

  /**
   * The triples of one string's list (of `backend`, if given), sorted, from the first one
   * after `after`.
   */
  private sortedAfter(list: TripleList, string: number, after: Triple | undefined, backend?: number): number[] {
    const ids: number[] = [];
    for (let id = list.first(string); id >= 0; id = list.next(id)) {
      if ((backend === undefined || this.triples.backendId(id) === backend) && (after === undefined || this.compare(id, after) > 0)) ids.push(id);
    }
    return ids.length > 1 ? ids.sort((a, b) => this.compare(a, b)) : ids;
  }

  /** The number of a filter's string: undefined for no filter, -1 for a string the table does not hold. */
  private stringId(text: string | undefined): number | undefined {
    return text === undefined ? undefined : this.triples.strings.find(text);
  }

  private noteUser(triple: number): void {
    this.count++;
    this.ordered.add(triple);
    this.vuserList.add(this.triples.vuserId(triple), triple);
    this.usernameList.add(this.triples.usernameId(triple), triple);
  }

  private forgetUser(triple: number): void {
    this.count--;
    this.ordered.delete(triple);
    this.vuserList.remove(this.triples.vuserId(triple), triple);
    this.usernameList.remove(this.triples.usernameId(triple), triple);
  }

  /** Listing order: backend, username, vuser, each in code-unit order. */
  private compare(a: number | Triple, b: number | Triple): number {
    if (typeof a !== 'number' || typeof b !== 'number') {
      const x = typeof a === 'number' ? this.triples.fields(a) : a;
      const y = typeof b === 'number' ? this.triples.fields(b) : b;
      return byCodeUnit(x.backend, y.backend) || byCodeUnit(x.username, y.username) || byCodeUnit(x.vuser, y.vuser);
    }
    const { triples } = this;
    const { strings } = triples;
    return (
      strings.compare(triples.backendId(a), triples.backendId(b)) ||
      strings.compare(triples.usernameId(a), triples.usernameId(b)) ||
      strings.compare(triples.vuserId(a), triples.vuserId(b))
    );
  }

  private keyOf(triple: number): string {
    return tripleKey(this.triples.backend(triple), this.triples.username(triple), this.triples.vuser(triple));
  }
}

/** Lists of triples per string (the triples with a given vuser, or username), doubly linked. */
class TripleList {
  /** The first triple of each string's list, by the string's number; -1 for none. */
  private readonly firsts = new Int32Column(-1);
  private readonly prevs = new Int32Column(-1);
  private readonly nexts = new Int32Column(-1);

  first(string: number): number {
    if (string < 0) return -1;
    this.firsts.ensure(string);
    return this.firsts.get(string);
  }

  next(triple: number): number {
    return this.nexts.get(triple);
  }

  /** Puts `triple` first in the list of `string`. */
  add(string: number, triple: number): void {
    this.prevs.ensure(triple);
    this.nexts.ensure(triple);
    const next = this.first(string);
    this.prevs.set(triple, -1);
    this.nexts.set(triple, next);
    if (next >= 0) this.prevs.set(next, triple);
    this.firsts.set(string, triple);
  }

  remove(string: number, triple: number): void {
    const prev = this.prevs.get(triple);
    const next = this.nexts.get(triple);
    if (prev >= 0) this.nexts.set(prev, next);
    else this.firsts.set(string, next);
    if (next >= 0) this.prevs.set(next, prev);
  }
}
