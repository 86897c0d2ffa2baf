// SPDX-License-Identifier: GPL-3.0-or-later
// The decoder gives and the table keeps sequence numbers below 2^53 as plain numbers, larger
// ones as bigints (sequence-numbers.ts): both paths must give the exact u64 arithmetic, across
// the boundary too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalSeq, sourceKey } from '../../src/protocol/types.js';
import { missedBetween } from '../../src/table/sequence-numbers.js';
import { RegistrationTable } from '../../src/table/table.js';
import { command, options, source } from './fixtures.js';

const MAX_SEQ = 2n ** 64n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** u64 sequence numbers, often near 2^53 (where the path changes) and near 2^64. */
const seq = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX_SEQ }),
  fc.bigInt({ min: SAFE - 40n, max: SAFE + 40n }),
  fc.bigInt({ min: MAX_SEQ - 40n, max: MAX_SEQ }),
  fc.bigInt({ min: 1n, max: 100n }),
);

describe('sequence numbers as the table keeps them', () => {
  it('are kept exactly, as a number exactly when below 2^53', () => {
    fc.assert(
      fc.property(seq, (value) => {
        const stored = canonicalSeq(value);
        expect(BigInt(stored)).toBe(value);
        expect(typeof stored).toBe(value <= SAFE ? 'number' : 'bigint');
      }),
    );
  });

  it('give the exact seq - last - 1 on the fast path and the exact path alike', () => {
    fc.assert(
      fc.property(seq, seq, (last, next) => {
        const missed = missedBetween(canonicalSeq(last), canonicalSeq(next));
        expect(BigInt(missed)).toBe(next - last - 1n);
        // The exact path (both as bigints) agrees.
        expect(BigInt(missedBetween(last, next))).toBe(next - last - 1n);
        if (last <= SAFE && next <= SAFE) expect(typeof missed).toBe('number');
      }),
    );
  });

  it('give a table the same outcomes, gaps and counters as exact u64 arithmetic, across 2^53 and up to 2^64-1', () => {
    const from = source(100);
    const key = sourceKey(from);
    fc.assert(
      fc.property(fc.array(fc.tuple(seq, fc.boolean()), { minLength: 1, maxLength: 30 }), (seqs) => {
        const clock = { now: 1_000_000 };
        const base = options(clock);
        // The clock never moves, so the bound is its slack alone: 2^52, about 2^53 / 2.
        const table = new RegistrationTable({ ...base, limits: { ...base.limits, sequenceBound: { slack: 2 ** 52, ratePerSecond: 1 } } });
        let last: bigint | undefined;
        let gaps = 0n;
        // Each seq as the decoder gives it, or as a bigint whatever its size (both are Seq).
        for (const [value, decoded] of seqs) {
          const result = table.apply({ kind: 'register', source: from, seq: decoded ? canonicalSeq(value) : value, command: command('jdoe') });
          if (last !== undefined && value <= last) {
            expect(result).toEqual({ outcome: 'rejected', reason: 'stale-sequence', source: key });
            continue;
          }
          const missed = last === undefined ? 0n : value - last - 1n;
          // A jump past the slack is implausible.
          if (missed > 2n ** 52n) {
            expect(result).toEqual({ outcome: 'rejected', reason: 'implausible-sequence', source: key });
            continue;
          }
          expect(result.outcome).toBe('applied');
          expect(result.outcome === 'applied' && result.gap).toBe(missed);
          gaps += missed;
          last = value;
        }
        const [row] = table.sources();
        expect(row?.lastSeq).toBe(String(last));
        expect(row?.gaps).toBe(String(gaps));
      }),
    );
  });
});
