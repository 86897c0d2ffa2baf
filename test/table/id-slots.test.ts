// SPDX-License-Identifier: GPL-3.0-or-later
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdSlots } from '../../src/table/id-slots.js';
import { StringPool } from '../../src/table/string-pool.js';

/** Whether probing for `id` (by its hash) finds it, as an owner's lookup does. */
function found(slots: IdSlots, hash: number, id: number): boolean {
  for (let slot = slots.first(hash); ; slot = slots.next(slot)) {
    const at = slots.at(slot);
    if (at < 0) return false;
    if (at === id) return true;
  }
}

describe('IdSlots', () => {
  it('finds exactly the ids stored through any adds and removes, with colliding hashes and wrap-around', () => {
    // Few distinct hashes, some at the top of the table, so that probes collide and wrap.
    const hashOf = (id: number) => [15, 14, 0, 7, 2 ** 31 - 1][id % 5] as number;
    const op = fc.record({ add: fc.boolean(), id: fc.nat(79) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const slots = new IdSlots(hashOf);
        const model = new Set<number>();
        for (const { add, id } of ops) {
          if (add && !model.has(id)) {
            slots.add(id, hashOf(id));
            model.add(id);
          } else if (!add && model.has(id)) {
            slots.remove(id);
            model.delete(id);
          }
          expect(slots.size).toBe(model.size);
        }
        for (let id = 0; id < 80; id++) expect(found(slots, hashOf(id), id)).toBe(model.has(id));
      }),
      { numRuns: 300 },
    );
  });
});

describe('StringPool', () => {
  it('numbers each string once and lets it go with its last reference, reusing the number', () => {
    const pool = new StringPool();
    const jdoe = pool.retain('jdoe');
    expect(pool.retain(['j', 'doe'].join(''))).toBe(jdoe);
    expect(pool.find('jdoe')).toBe(jdoe);
    expect(pool.find('amy')).toBe(-1);
    pool.release(jdoe);
    expect(pool.text(pool.find('jdoe'))).toBe('jdoe');
    pool.release(jdoe);
    expect(pool.find('jdoe')).toBe(-1);
    expect(pool.size).toBe(0);
    expect(pool.retain('amy')).toBe(jdoe);
  });

  it('holds many strings through growth and removal', () => {
    const pool = new StringPool();
    const ids = Array.from({ length: 5000 }, (_, i) => pool.retain(`user${i}@example.org`));
    for (let i = 0; i < 5000; i += 2) pool.release(ids[i] as number);
    for (let i = 0; i < 5000; i++) expect(pool.find(`user${i}@example.org`)).toBe(i % 2 === 0 ? -1 : ids[i]);
    expect(pool.size).toBe(2500);
  });
});
