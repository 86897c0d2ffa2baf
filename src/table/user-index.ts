// SPDX-License-Identifier: GPL-3.0-or-later
import { OrderedKeys } from './ordered-keys.js';
import { compareTripleKeys, pairKey, splitUser, tripleKey } from '../protocol/triple.js';
import type { Page, UserFilter, UserRow } from './types.js';

export type Transition = 'registered' | 'unregistered' | undefined;

/**
 * Total count per triple over all live sources, plus three indexes kept as triples come and
 * go (a count change above 0 touches only `totals`): the triples in listing order (so a page
 * is read from its cursor, never by sorting the table), the usernames per (backend, vuser)
 * so that `registeredUsers` is one lookup, and the triples per username for `?username=`.
 * It never holds a triple whose total is 0. Most pairs and usernames have a single entry, so
 * it is stored bare, and only one with several gets a Set.
 */
export class UserIndex {
  private readonly totals = new Map<string, number>();
  private readonly ordered = new OrderedKeys(compareTripleKeys);
  private readonly usersByPair = new Map<string, string | Set<string>>();
  private readonly triplesByUsername = new Map<string, string | Set<string>>();

  /** Distinct triples with a total > 0. */
  get size(): number {
    return this.totals.size;
  }

  /** Adds `delta` (non-zero) to a triple's total and says whether it crossed 0. */
  add(key: string, delta: number): Transition {
    const before = this.totals.get(key) ?? 0;
    const after = before + delta;
    if (after < 0) throw new Error(`internal: triple total would be ${after}`);
    if (after === 0) {
      this.totals.delete(key);
      this.forgetUser(key);
      return 'unregistered';
    }
    this.totals.set(key, after);
    if (before > 0) return undefined;
    this.noteUser(key);
    return 'registered';
  }

  /** Distinct usernames with a count > 0 for (backend, vuser), sorted by code unit. */
  usernames(backend: string, vuser: string): string[] {
    const users = this.usersByPair.get(pairKey(backend, vuser));
    if (users === undefined) return [];
    return typeof users === 'string' ? [users] : [...users].sort(compare);
  }

  /**
   * Up to `limit` rows after the triple key `after`, in listing order (backend, username,
   * vuser), and the key to continue after when more may follow. A filter without an index
   * (vuser alone) examines at most `scanBudget` triples per page, so such a page can be short.
   */
  page(filter: UserFilter, after: string | undefined, limit: number, scanBudget = Number.POSITIVE_INFINITY): Page<UserRow> {
    const { backend, username, vuser } = filter;
    const rows: UserRow[] = [];
    let examined = 0;
    let lastExamined: string | undefined;
    let lastRow: string | undefined;
    for (const key of this.candidates(filter, after)) {
      const first = key.indexOf('\0');
      const last = key.lastIndexOf('\0');
      if (backend !== undefined && (first !== backend.length || !key.startsWith(backend))) {
        if (username === undefined) break; // past the backend's range in listing order
        continue;
      }
      if (examined++ === scanBudget) return { rows, next: lastExamined };
      lastExamined = key;
      const name = key.slice(first + 1, last);
      if (username !== undefined && name !== username) continue;
      if (vuser !== undefined && (key.length - last - 1 !== vuser.length || !key.startsWith(vuser, last + 1))) continue;
      if (rows.length === limit) return { rows, next: lastRow };
      rows.push({ backend: key.slice(0, first), username: name, vuser: key.slice(last + 1), count: this.totals.get(key) as number });
      lastRow = key;
    }
    return { rows, next: undefined };
  }

  /** Rows sorted by backend, username, vuser (code unit order, locale-independent). */
  rows(filter: UserFilter = {}): UserRow[] {
    return this.page(filter, undefined, Number.POSITIVE_INFINITY).rows;
  }

  /**
   * The keys after `after` that can match `filter`, in listing order, from the one index that
   * narrows it most.
   */
  private candidates(filter: UserFilter, after: string | undefined): Iterable<string> {
    const { backend, username, vuser } = filter;
    const isAfter = (key: string) => after === undefined || compareTripleKeys(key, after) > 0;
    if (backend !== undefined && vuser !== undefined) {
      return this.usernames(backend, vuser).map((name) => tripleKey(backend, name, vuser)).filter(isAfter);
    }
    if (username !== undefined) {
      const keys = this.triplesByUsername.get(username);
      if (keys === undefined) return [];
      return (typeof keys === 'string' ? [keys] : [...keys].sort(compareTripleKeys)).filter(isAfter);
    }
    if (backend !== undefined) {
      // The lowest key of the backend's range: no real triple has an empty username or vuser.
      const first = tripleKey(backend, '', '');
      return this.ordered.after(after !== undefined && compareTripleKeys(after, first) > 0 ? after : first);
    }
    return this.ordered.after(after);
  }

  private noteUser(key: string): void {
    const [pair, username] = splitUser(key);
    this.ordered.add(key);
    addTo(this.usersByPair, pair, username);
    addTo(this.triplesByUsername, username, key);
  }

  private forgetUser(key: string): void {
    const [pair, username] = splitUser(key);
    this.ordered.delete(key);
    removeFrom(this.usersByPair, pair, username);
    removeFrom(this.triplesByUsername, username, key);
  }
}

/** Adds `value` to the values of `key`: bare while it is the only one, else a Set. */
function addTo(map: Map<string, string | Set<string>>, key: string, value: string): void {
  const values = map.get(key);
  if (values === undefined) map.set(key, value);
  else if (typeof values === 'string') map.set(key, new Set([values, value]));
  else values.add(value);
}

function removeFrom(map: Map<string, string | Set<string>>, key: string, value: string): void {
  const values = map.get(key);
  if (values === undefined || values === value) {
    map.delete(key);
  } else if (typeof values !== 'string') {
    values.delete(value);
    // Back to the bare form, so memory follows the common case again.
    if (values.size === 1) map.set(key, values.values().next().value as string);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
