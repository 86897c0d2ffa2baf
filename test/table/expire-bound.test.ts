// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * expire() walks the sources only when the table's bound on the earliest deadline says one may
 * be due. Over random histories on a fake clock (leases that shrink, sources that empty and take
 * the short lease, restores, a clock that steps back), it must expire exactly the sources a full
 * walk of the listed deadlines finds, and the bound must never exceed a live source's deadline.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Message, type SourceId } from '../../src/protocol/types.js';
import { checkSavedTable } from '../../src/table/state-schema.js';
import { RegistrationTable } from '../../src/table/table.js';
import type { TableOptions } from '../../src/table/types.js';
import { GUID } from './fixtures.js';

const LIMITS = { maxSources: 4, maxRegistrationsPerSource: 3 };
const LEASE = { defaultIntervalMs: 2000, multiplier: 3, minLeaseMs: 300, maxLeaseMs: 9000, restoreGraceMs: 500, emptyLeaseMs: 1200 };
const SOURCES: SourceId[] = [1, 2, 3, 4, 5].map((pid) => ({ host: 'mail', pid, epoch: '0000000000000001' }));
const USERS = ['jdoe', 'amy', 'bob', 'eve'];

type Op =
  | { op: 'register' | 'unregister'; src: number; user: number }
  | { op: 'heartbeat'; src: number; users: number[]; intervalMs: number }
  | { op: 'goodbye' | 'purge'; src: number }
  | { op: 'advance'; ms: number }
  | { op: 'expire'; behindMs: number }
  | { op: 'restart' };

const src = fc.nat(SOURCES.length - 1);
const user = fc.nat(USERS.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('register' as const), src, user }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('unregister' as const), src, user }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('heartbeat' as const),
      src,
      users: fc.uniqueArray(user, { maxLength: 4 }),
      intervalMs: fc.constantFrom(10, 100, 400, 2000, 5000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('goodbye' as const, 'purge' as const), src }) },
  // Mostly forward; sometimes back, as a wall clock may step.
  { weight: 4, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: -300, max: 4000 }) }) },
  // The notifier passes a cutoff behind now while frames may wait unread (expiry.ts).
  { weight: 5, arbitrary: fc.record({ op: fc.constant('expire' as const), behindMs: fc.integer({ min: 0, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const) }) },
);

function message(o: Extract<Op, { src: number }>, seq: bigint): Message | undefined {
  const source = SOURCES[o.src]!;
  const command = (u: number) => ({ backend: 'SOGo', username: USERS[u]!, vuser: USERS[u]!, replicaGuid: GUID, replId: 1 });
  switch (o.op) {
    case 'register':
    case 'unregister':
      return { kind: o.op, source, seq, command: command(o.user) };
    case 'heartbeat':
      return { kind: 'heartbeat', source, seq, intervalMs: o.intervalMs, dropped: 0n, entries: o.users.map((u) => ({ ...command(u), count: 1 })) };
    case 'goodbye':
      return { kind: 'goodbye', source, seq };
    case 'purge':
      return undefined;
  }
}

/** The earliest deadline a full walk finds (Infinity with no source). */
function earliestListed(table: RegistrationTable): number {
  return Math.min(Number.POSITIVE_INFINITY, ...table.sources().map((row) => row.expiresAt));
}

describe('expire() with its bound on the earliest deadline', () => {
  it('expires exactly what a full walk finds, and the bound never passes a deadline', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
        const clock = { now: 10_000 };
        const options: TableOptions = { limits: LIMITS, lease: LEASE, now: () => clock.now };
        let table = new RegistrationTable(options);
        let seq = 0n;
        for (const o of ops) {
          switch (o.op) {
            case 'advance':
              clock.now += o.ms;
              break;
            case 'expire': {
              const cutoff = clock.now - o.behindMs;
              const expected = table.sources().filter((row) => row.expiresAt <= cutoff).map((row) => row.key);
              expect(table.expire(cutoff).map((row) => row.key).sort()).toEqual(expected.sort());
              // What is left is due after the cutoff, and the bound knows it: the same tick again costs no walk.
              expect(table.nextExpiryAt).toBeGreaterThan(cutoff);
              break;
            }
            case 'restart':
              table = RegistrationTable.fromState(checkSavedTable(JSON.parse(JSON.stringify(table.toState())), 'state'), options);
              break;
            case 'purge':
              table.purge(`mail/${SOURCES[o.src]!.pid}/0000000000000001`);
              break;
            default:
              table.apply(message(o, ++seq)!);
          }
          expect(table.nextExpiryAt).toBeLessThanOrEqual(earliestListed(table));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is exact after a walk, and lowered by a source that empties and takes the short lease', () => {
    const clock = { now: 10_000 };
    const table = new RegistrationTable({ limits: LIMITS, lease: LEASE, now: () => clock.now });
    const a = SOURCES[0]!;
    const jdoe = { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', replicaGuid: GUID, replId: 1 };
    expect(table.nextExpiryAt).toBe(Number.POSITIVE_INFINITY);
    // Taken in while it held nothing: bounded by the short lease until a walk finds otherwise.
    table.apply({ kind: 'register', source: a, seq: 1n, command: jdoe });
    expect(table.nextExpiryAt).toBe(10_000 + 1200);
    clock.now += 1000;
    table.apply({ kind: 'register', source: a, seq: 2n, command: jdoe });
    expect(table.nextExpiryAt).toBe(11_200);
    expect(table.expire(11_200)).toEqual([]);
    expect(table.nextExpiryAt).toBe(11_000 + 6000);
    table.apply({ kind: 'unregister', source: a, seq: 3n, command: jdoe });
    table.apply({ kind: 'unregister', source: a, seq: 4n, command: jdoe });
    expect(table.nextExpiryAt).toBe(11_000 + 1200);
    clock.now += 1200;
    expect(table.expire().map((row) => row.triples)).toEqual([0]);
    expect(table.nextExpiryAt).toBe(Number.POSITIVE_INFINITY);
  });
});
