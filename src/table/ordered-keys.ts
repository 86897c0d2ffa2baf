// SPDX-License-Identifier: GPL-3.0-or-later
// A set of keys kept in order (a B+ tree from sorted-btree), so that a page of a table can be
// read from any position in O(log n + page) without sorting the whole table per request.
import { createRequire } from 'node:module';

type BTree<K> = import('sorted-btree').default<K, undefined>;
// Required rather than imported: the package is CommonJS with an `exports.default`, which Node's
// ESM loader and vitest's would unwrap differently.
const { default: BTreeClass } = createRequire(import.meta.url)('sorted-btree') as typeof import('sorted-btree');

/** Keys per node: twice the library's default halves the nodes (about 5 B less per key at 1 M). */
const NODE_SIZE = 64;

export type Compare<K> = (a: K, b: K) => number;

/**
 * Keys of type `K` in the order of `compare`. A position to read from may also be given as a
 * `Position`, a value that is not stored but that `compare` places among the keys (a cursor
 * naming a key that has gone meanwhile).
 */
export class OrderedKeys<K, Position = K> {
  private readonly tree: BTree<K | Position>;

  constructor(private readonly compare: Compare<K | Position>) {
    this.tree = new BTreeClass<K | Position, undefined>(undefined, compare, NODE_SIZE);
  }

  get size(): number {
    return this.tree.size;
  }

  add(key: K): void {
    this.tree.set(key, undefined);
  }

  delete(key: K): void {
    this.tree.delete(key);
  }

  /** The keys in order, starting with the first one after `after` (or the first key). */
  *after(after: K | Position | undefined): Generator<K> {
    for (const key of this.tree.keys(after)) {
      if (after !== undefined && this.compare(key, after) === 0) continue;
      yield key as K;
    }
  }
}

/** Code-unit order (locale-independent), the order of JavaScript's `<`. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
