// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Model-based property test: random interleavings of every kind of message, expiries on a
 * fake clock, purges and notifier restarts (toState -> JSON -> fromState), checked step by
 * step against a deliberately simple model: a plain Map per source, totals recomputed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceKey, type Message, type SourceId } from '../../src/protocol/types.js';
import { checkSavedTable } from '../../src/table/state-schema.js';
import { RegistrationTable } from '../../src/table/table.js';
import type { ApplyResult, ChangeEvent, TableOptions, UserRow } from '../../src/table/types.js';
import { GUID } from './fixtures.js';

const LIMITS = { maxSources: 3, maxRegistrationsPerSource: 3 };
const LEASE = { defaultIntervalMs: 2000, multiplier: 3, minLeaseMs: 1500, maxLeaseMs: 9000, restoreGraceMs: 500 };
const SOURCES: SourceId[] = [
  { host: 'a', pid: 1, epoch: '0000000000000001' },
  { host: 'a', pid: 1, epoch: '0000000000000002' },
  { host: 'b', pid: 1, epoch: '0000000000000001' },
  { host: 'b', pid: 2, epoch: '0000000000000001' },
];
const TRIPLES: [string, string, string][] = [
  ['SOGo', 'jdoe', 'jdoe'],
  ['SOGo', 'JDOE', 'jdoe'],
  ['SOGo', 'amy', 'jdoe'],
  ['SOGo', 'amy', 'shared'],
  ['Other', 'amy', 'shared'],
  // Stored two bytes a code unit (string-bytes.ts), one beside a character above U+FFFF, which
  // code-unit order puts before U+FF41 (UTF-8 would not).
  ['SOGo', '\u{1f600}', 'shared'],
  ['SOGo', '\uff41my', 'shared'],
  ['SOGo', '\xe9mile', 'jdoe'],
];
const PAIRS = [...new Set(TRIPLES.map(([backend, , vuser]) => `${backend}/${vuser}`))].map((p) => p.split('/') as [string, string]);
const tripleId = (t: readonly [string, string, string]): string => t.join('/');

type Op =
  | { op: 'register' | 'unregister'; src: number; seqDelta: number; triple: number }
  | { op: 'heartbeat'; src: number; seqDelta: number; entries: [number, number][]; intervalMs: number }
  | { op: 'goodbye'; src: number; seqDelta: number }
  | { op: 'advance'; ms: number }
  | { op: 'restart'; ms: number }
  | { op: 'purge'; src: number };

const src = fc.nat(SOURCES.length - 1);
// Mostly small counts, sometimes one at the edge of the 16 bits a count column holds in place
// (columns.ts), which registers and unregisters then move across, in a source and in the totals.
const count = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 0xfffe, max: 0x10000 }) });
// Mostly in order; sometimes a repeat (0), a replay (-1) or a gap.
const seqDelta = fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.integer({ min: -1, max: 4 }) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('register' as const), src, seqDelta, triple: fc.nat(TRIPLES.length - 1) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('unregister' as const), src, seqDelta, triple: fc.nat(TRIPLES.length - 1) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('heartbeat' as const),
      src,
      seqDelta,
      entries: fc.uniqueArray(fc.tuple(fc.nat(TRIPLES.length - 1), count), {
        maxLength: 4,
        selector: ([t]) => t,
      }),
      intervalMs: fc.constantFrom(400, 1000, 2000, 5000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('goodbye' as const), src, seqDelta }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 7000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const), ms: fc.integer({ min: 0, max: 4000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('purge' as const), src }) },
);

interface ModelSource {
  counts: Map<string, number>;
  lastSeq: bigint;
  intervalMs: number | null;
  expiresAt: number;
}

/** The rules, written as plainly as possible. */
class Model {
  sources = new Map<string, ModelSource>();

  totals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const s of this.sources.values()) for (const [t, c] of s.counts) totals.set(t, (totals.get(t) ?? 0) + c);
    return totals;
  }

  lease(s: ModelSource): number {
    return Math.min(LEASE.maxLeaseMs, Math.max(LEASE.minLeaseMs, LEASE.multiplier * (s.intervalMs ?? LEASE.defaultIntervalMs)));
  }

  apply(m: Message, now: number): string {
    const key = sourceKey(m.source);
    let s = this.sources.get(key);
    if (s && m.seq <= s.lastSeq) return 'rejected stale-sequence';
    if (!s && m.kind === 'goodbye') return 'ignored unknown-source';
    if (!s && this.sources.size >= LIMITS.maxSources) return 'rejected too-many-sources';
    const size = s?.counts.size ?? 0;
    const overLimit =
      (m.kind === 'register' && !s?.counts.has(tripleId(commandTriple(m))) && size >= LIMITS.maxRegistrationsPerSource) ||
      (m.kind === 'heartbeat' && m.entries.length > LIMITS.maxRegistrationsPerSource);
    if (overLimit) {
      // A known source stays alive: sequence, interval and lease taken in, set unchanged.
      if (s) {
        s.lastSeq = BigInt(m.seq);
        if (m.kind === 'heartbeat') s.intervalMs = m.intervalMs;
        s.expiresAt = now + this.lease(s);
      }
      return 'rejected too-many-registrations';
    }
    if (!s) {
      s = { counts: new Map(), lastSeq: 0n, intervalMs: null, expiresAt: 0 };
      this.sources.set(key, s);
    }
    s.lastSeq = BigInt(m.seq);
    let outcome = 'applied';
    switch (m.kind) {
      case 'register': {
        const t = tripleId(commandTriple(m));
        s.counts.set(t, (s.counts.get(t) ?? 0) + 1);
        break;
      }
      case 'unregister': {
        const t = tripleId(commandTriple(m));
        const c = s.counts.get(t);
        if (c === undefined) outcome = 'ignored unmatched-unregister';
        else if (c === 1) s.counts.delete(t);
        else s.counts.set(t, c - 1);
        break;
      }
      case 'heartbeat':
        s.counts = new Map(m.entries.map((e) => [tripleId([e.backend, e.username, e.vuser]), e.count]));
        s.intervalMs = m.intervalMs;
        break;
      case 'goodbye':
        this.sources.delete(key);
    }
    s.expiresAt = now + this.lease(s);
    return outcome;
  }
}

function commandTriple(m: Message): [string, string, string] {
  if (m.kind !== 'register' && m.kind !== 'unregister') throw new Error('not a command');
  return [m.command.backend, m.command.username, m.command.vuser];
}

function toMessage(o: Extract<Op, { seqDelta: number }>, model: Model): Message {
  const source = SOURCES[o.src]!;
  const last = model.sources.get(sourceKey(source))?.lastSeq ?? 0n;
  const seq = last + BigInt(o.seqDelta) >= 1n ? last + BigInt(o.seqDelta) : 1n;
  const command = (t: number) => {
    const [backend, username, vuser] = TRIPLES[t]!;
    return { backend, username, vuser, replicaGuid: GUID, replId: t };
  };
  switch (o.op) {
    case 'register':
    case 'unregister':
      return { kind: o.op, source, seq, command: command(o.triple) };
    case 'heartbeat':
      return { kind: 'heartbeat', source, seq, intervalMs: o.intervalMs, dropped: 0n, entries: o.entries.map(([t, count]) => ({ ...command(t), count })) };
    case 'goodbye':
      return { kind: 'goodbye', source, seq };
  }
}

function describeResult(result: ApplyResult): string {
  return result.outcome === 'applied' ? 'applied' : `${result.outcome} ${result.reason}`;
}

function rowsFrom(totals: Map<string, number>): UserRow[] {
  return [...totals]
    .map(([t, count]) => {
      const [backend, username, vuser] = t.split('/') as [string, string, string];
      return { backend, username, vuser, count };
    })
    .sort((a, b) => (a.backend + '\0' + a.username + '\0' + a.vuser < b.backend + '\0' + b.username + '\0' + b.vuser ? -1 : 1));
}

/** The expected change events between two totals, as sorted "type triple" strings. */
function transitions(before: Map<string, number>, after: Map<string, number>): string[] {
  const changes: string[] = [];
  for (const t of new Set([...before.keys(), ...after.keys()])) {
    const was = (before.get(t) ?? 0) > 0;
    const is = (after.get(t) ?? 0) > 0;
    if (!was && is) changes.push(`registered ${t}`);
    if (was && !is) changes.push(`unregistered ${t}`);
  }
  return changes.sort();
}

function checkAgainst(table: RegistrationTable, model: Model): void {
  const totals = model.totals();
  expect(table.users()).toEqual(rowsFrom(totals));
  expect(table.sources().map((s) => s.key).sort()).toEqual([...model.sources.keys()].sort());
  expect(table.sourceCount).toBe(model.sources.size);
  expect(table.userCount).toBe(totals.size);
  expect(table.registrationCount).toBe([...totals.values()].reduce((a, b) => a + b, 0));
  for (const [backend, vuser] of PAIRS) {
    const expected = [...totals.keys()]
      .map((t) => t.split('/'))
      .filter(([b, , v]) => b === backend && v === vuser)
      .map(([, u]) => u!)
      .sort();
    expect(table.registeredUsers(backend, vuser)).toEqual(expected);
  }
  // The aggregate index equals the recomputation from the table's own sources.
  const recomputed = new Map<string, number>();
  for (const row of table.sources()) {
    const held = table.sourceRegistrations(row.key) ?? [];
    expect(row.registrations).toBe(held.reduce((sum, e) => sum + e.count, 0));
    expect(row.expiresAt).toBe(model.sources.get(row.key)?.expiresAt);
    for (const e of held) {
      expect(e.count).toBeGreaterThan(0);
      const t = tripleId([e.backend, e.username, e.vuser]);
      recomputed.set(t, (recomputed.get(t) ?? 0) + e.count);
    }
  }
  expect(table.users()).toEqual(rowsFrom(recomputed));
}

describe('the table against a simple model', () => {
  it('agrees after every step of random histories', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const clock = { now: 0 };
        const options: TableOptions = { limits: LIMITS, lease: LEASE, now: () => clock.now };
        const model = new Model();
        const events: ChangeEvent[] = [];
        const listen = (t: RegistrationTable) => t.onChange((e) => events.push(e));
        let table = new RegistrationTable(options);
        listen(table);

        for (const o of ops) {
          const before = model.totals();
          events.length = 0;
          switch (o.op) {
            case 'advance': {
              clock.now += o.ms;
              const expected = [...model.sources].filter(([, s]) => s.expiresAt <= clock.now).map(([k]) => k);
              for (const k of expected) model.sources.delete(k);
              expect(table.expire().map((row) => row.key).sort()).toEqual(expected.sort());
              break;
            }
            case 'restart': {
              const saved = JSON.parse(JSON.stringify(table.toState())) as unknown;
              clock.now += o.ms;
              table = RegistrationTable.fromState(checkSavedTable(saved, 'state'), options);
              listen(table);
              for (const s of model.sources.values()) {
                s.expiresAt = Math.min(s.expiresAt, clock.now + (s.intervalMs ?? LEASE.defaultIntervalMs) + LEASE.restoreGraceMs);
              }
              break;
            }
            case 'purge': {
              const key = sourceKey(SOURCES[o.src]!);
              expect(table.purge(key)).toBe(model.sources.delete(key));
              break;
            }
            default: {
              const message = toMessage(o, model);
              const expected = model.apply(message, clock.now);
              expect(describeResult(table.apply(message))).toBe(expected);
            }
          }
          expect(events.map((e) => `${e.kind} ${tripleId([e.backend, e.username, e.vuser])}`).sort()).toEqual(
            transitions(before, model.totals()),
          );
          expect(events.every((e) => e.at === clock.now)).toBe(true);
          checkAgainst(table, model);
        }
      }),
      { numRuns: 400 },
    );
  });
});
