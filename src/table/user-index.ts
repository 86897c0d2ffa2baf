import { pairKey, splitTriple, splitUser, tripleKey } from '../protocol/triple.js';
import type { UserFilter, UserRow } from './types.js';

export type Transition = 'registered' | 'unregistered' | undefined;

/**
 * Total count per triple over all live sources, plus the usernames per (backend, vuser) so
 * that `registeredUsers` is one lookup. Maintained incrementally by the table from its
 * sources; it never holds a triple whose total is 0. Most pairs have a single username, so
 * it is stored bare, and only a pair with several gets a Set.
 */
export class UserIndex {
  private readonly totals = new Map<string, number>();
  private readonly usersByPair = new Map<string, string | Set<string>>();

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

  /** Rows sorted by backend, username, vuser (code unit order, locale-independent). */
  rows(filter: UserFilter = {}): UserRow[] {
    const rows: UserRow[] = [];
    const { backend, username, vuser } = filter;
    if (backend !== undefined && vuser !== undefined) {
      for (const name of this.usernames(backend, vuser)) {
        if (username !== undefined && name !== username) continue;
        rows.push({ backend, username: name, vuser, count: this.totals.get(tripleKey(backend, name, vuser)) as number });
      }
    } else {
      for (const [key, count] of this.totals) {
        const triple = splitTriple(key);
        if (backend !== undefined && triple.backend !== backend) continue;
        if (username !== undefined && triple.username !== username) continue;
        if (vuser !== undefined && triple.vuser !== vuser) continue;
        rows.push({ ...triple, count });
      }
    }
    return rows.sort(
      (a, b) => compare(a.backend, b.backend) || compare(a.username, b.username) || compare(a.vuser, b.vuser),
    );
  }

  private noteUser(key: string): void {
    const [pair, username] = splitUser(key);
    const users = this.usersByPair.get(pair);
    if (users === undefined) this.usersByPair.set(pair, username);
    else if (typeof users === 'string') this.usersByPair.set(pair, new Set([users, username]));
    else users.add(username);
  }

  private forgetUser(key: string): void {
    const [pair, username] = splitUser(key);
    const users = this.usersByPair.get(pair);
    if (users === undefined || users === username) {
      this.usersByPair.delete(pair);
    } else if (typeof users !== 'string') {
      users.delete(username);
      // Back to the bare form, so memory follows the common case again.
      if (users.size === 1) this.usersByPair.set(pair, users.values().next().value as string);
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
