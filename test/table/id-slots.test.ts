// SPDX-License-Identifier: GPL-3.0-or-later
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdSlots } from '../../src/table/id-slots.js';

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
