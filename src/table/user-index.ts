import { pairKey, splitPair, splitUser } from './triple.js';
import type { UserFilter, UserRow } from './types.js';

export type Transition = 'registered' | 'unregistered' | undefined;

/**
 * Total count per triple over all live sources, grouped by (backend, vuser) so that
 * `registeredUsers` is one lookup. Maintained incrementally by the table from its sources;
 * it never holds a triple whose total is 0.
 */
export class UserIndex {
  private readonly byPair = new Map<string, Map<string, number>>();
  private triples = 0;

  /** Distinct triples with a total > 0. */
  get size(): number {
    return this.triples;
  }

  /** Adds `delta` (non-zero) to a triple's total and says whether it crossed 0. */
  add(key: string, delta: number): Transition {
    const [pair, username] = splitUser(key);
    let users = this.byPair.get(pair);
    if (users === undefined) {
      users = new Map();
      this.byPair.set(pair, users);
    }
    const before = users.get(username) ?? 0;
    const after = before + delta;
    if (after < 0) throw new Error(`internal: triple total would be ${after}`);
    if (after === 0) {
      users.delete(username);
      if (users.size === 0) this.byPair.delete(pair);
      this.triples--;
      return 'unregistered';
    }
    users.set(username, after);
    if (before === 0) {
      this.triples++;
      return 'registered';
    }
    return undefined;
  }

  total(backend: string, username: string, vuser: string): number {
    return this.byPair.get(pairKey(backend, vuser))?.get(username) ?? 0;
  }

  /** Distinct usernames with a count > 0 for (backend, vuser), sorted by code unit. */
  usernames(backend: string, vuser: string): string[] {
    const users = this.byPair.get(pairKey(backend, vuser));
    return users === undefined ? [] : [...users.keys()].sort(compare);
  }

  /** Rows sorted by backend, username, vuser (code unit order, locale-independent). */
  rows(filter: UserFilter = {}): UserRow[] {
    const rows: UserRow[] = [];
    const collect = (backend: string, vuser: string, users: Map<string, number>): void => {
      if (filter.username !== undefined) {
        const count = users.get(filter.username);
        if (count !== undefined) rows.push({ backend, username: filter.username, vuser, count });
        return;
      }
      for (const [username, count] of users) rows.push({ backend, username, vuser, count });
    };
    if (filter.backend !== undefined && filter.vuser !== undefined) {
      const users = this.byPair.get(pairKey(filter.backend, filter.vuser));
      if (users !== undefined) collect(filter.backend, filter.vuser, users);
    } else {
      for (const [pair, users] of this.byPair) {
        const [backend, vuser] = splitPair(pair);
        if (filter.backend !== undefined && backend !== filter.backend) continue;
        if (filter.vuser !== undefined && vuser !== filter.vuser) continue;
        collect(backend, vuser, users);
      }
    }
    return rows.sort(
      (a, b) => compare(a.backend, b.backend) || compare(a.username, b.username) || compare(a.vuser, b.vuser),
    );
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
