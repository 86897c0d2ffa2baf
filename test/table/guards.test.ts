// SPDX-License-Identifier: GPL-3.0-or-later
// What an allowed sender cannot do to another's sources: crowd them out with empty sources
// (short lease), lock them out with a sequence jump no sender can make, or take every slot
// under one pid (docs/security.md).
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import { checkSavedTable } from '../../src/table/state-schema.js';
import { RegistrationTable } from '../../src/table/table.js';
import type { TableOptions } from '../../src/table/types.js';
import { command, entry, heartbeat, options, register, snapshotOf, source, unregister } from './fixtures.js';

const a = source(100);
const MAX_SEQ = 2n ** 64n - 1n;
const BOUND = { slack: 1000, ratePerSecond: 100 };

function guarded(overrides: { emptyLeaseMs?: number; maxSourcesPerPid?: number; maxSources?: number } = {}) {
  const clock = { now: 1_000_000 };
  const base = options(clock, { maxSources: overrides.maxSources ?? 100 });
  const tableOptions: TableOptions = {
    ...base,
    limits: { ...base.limits, sequenceBound: BOUND, ...(overrides.maxSourcesPerPid === undefined ? {} : { maxSourcesPerPid: overrides.maxSourcesPerPid }) },
    lease: { ...base.lease, emptyLeaseMs: overrides.emptyLeaseMs ?? 3000 },
  };
  return { clock, table: new RegistrationTable(tableOptions), tableOptions };
}

describe('sources that hold nothing', () => {
  it('expire emptyLeaseMs after they were last heard, those that hold something after their lease', () => {
    const { table, clock } = guarded();
    const b = source(200);
    table.apply(heartbeat(a, 1, [], 5000));
    table.apply(heartbeat(b, 1, [entry('jdoe', 1)], 5000));
    expect(table.emptySourceCount).toBe(1);
    expect(table.sources().map((s) => s.expiresAt)).toEqual([clock.now + 3000, clock.now + 15_000]);
    clock.now += 2999;
    expect(table.expire()).toEqual([]);
    clock.now += 1;
    expect(table.expire().map((row) => row.key)).toEqual([sourceKey(a)]);
    clock.now += 12_000;
    expect(table.expire().map((row) => row.key)).toEqual([sourceKey(b)]);
  });

  it('take the short lease from their last message once they hold nothing, and lose it when they hold again', () => {
    const { table, clock } = guarded();
    table.apply(heartbeat(a, 1, [], 5000));
    table.apply(register(a, 2, command('jdoe')));
    clock.now += 10_000;
    expect(table.expire()).toEqual([]);
    table.apply(unregister(a, 3, command('jdoe')));
    expect(table.sources()[0]?.expiresAt).toBe(clock.now + 3000);
    clock.now += 3000;
    expect(table.expire().map((row) => [row.key, row.registrations])).toEqual([[sourceKey(a), 0]]);
  });

  it('restored from a state file take the short lease from the restore, not from before the restart', () => {
    const { table, clock, tableOptions } = guarded();
    table.apply(heartbeat(a, 1, [], 100_000));
    const saved = JSON.parse(JSON.stringify(table.toState())) as unknown;
    clock.now += 10_000;
    const restored = RegistrationTable.fromState(checkSavedTable(saved, 'state'), tableOptions);
    expect(restored.expire()).toEqual([]);
    expect(restored.sources()[0]?.expiresAt).toBe(clock.now + 3000);
    clock.now += 3000;
    expect(restored.expire().map((row) => row.key)).toEqual([sourceKey(a)]);
  });

  it('never outlive their own lease (a short interval leases less than emptyLeaseMs)', () => {
    const { table, clock } = guarded({ emptyLeaseMs: 60_000 });
    table.apply(heartbeat(a, 1, [], 100));
    expect(table.sources()[0]?.expiresAt).toBe(clock.now + 2000);
  });

  it('fill max-sources only until emptyLeaseMs after the sender stops: then a new backend gets in', () => {
    const { table, clock } = guarded({ maxSources: 50 });
    for (let pid = 1; pid <= 50; pid++) table.apply(heartbeat(source(pid), 1, [], 100_000));
    const backend = source(9999);
    expect(table.apply(register(backend, 1, command('jdoe')))).toMatchObject({ outcome: 'rejected', reason: 'too-many-sources' });
    clock.now += 3000;
    expect(table.expire()).toHaveLength(50);
    expect(table.apply(heartbeat(backend, 1, [], 5000)).outcome).toBe('applied');
    expect(table.apply(register(backend, 2, command('jdoe'))).outcome).toBe('applied');
  });
});

describe('sequence jumps', () => {
  it('beyond what the sender could have numbered are rejected as implausible-sequence and change nothing', () => {
    const { table } = guarded();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1)], 5000));
    const before = snapshotOf(table);
    expect(table.apply({ ...heartbeat(a, 2, [], 3_600_000), seq: MAX_SEQ })).toEqual({ outcome: 'rejected', reason: 'implausible-sequence', source: sourceKey(a) });
    expect(table.apply(register(a, 1 + BOUND.slack + 2, command('mallory')))).toMatchObject({ reason: 'implausible-sequence' });
    expect(snapshotOf(table)).toBe(before);
    // The real sender goes on where it was.
    expect(table.apply(register(a, 2, command('amy'))).outcome).toBe('applied');
  });

  it('within the slack are gaps: messages lost in transport, or queued behind the last one heard', () => {
    const { table } = guarded();
    table.apply(heartbeat(a, 1, [], 5000));
    expect(table.apply(register(a, 1 + BOUND.slack + 1, command('jdoe')))).toMatchObject({ outcome: 'applied', gap: BigInt(BOUND.slack) });
  });

  it('grow with the time since the source was last heard (a sender cut off for a long time)', () => {
    const { table, clock } = guarded();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1)], 100_000));
    clock.now += 60_000;
    const limit = 1 + BOUND.slack + 60 * BOUND.ratePerSecond + 1;
    expect(table.apply(register(a, limit + 1, command('amy')))).toMatchObject({ reason: 'implausible-sequence' });
    expect(table.apply(register(a, limit, command('amy')))).toMatchObject({ outcome: 'applied', gap: BigInt(limit - 2) });
  });

  it('after a restart are measured from the saved last-heard time (restored state, notifier down a day)', () => {
    const { table, clock, tableOptions } = guarded();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1)], 100_000));
    const saved = JSON.parse(JSON.stringify(table.toState())) as unknown;
    clock.now += 86_400_000;
    const restored = RegistrationTable.fromState(checkSavedTable(saved, 'state'), tableOptions);
    const seq = 1 + BOUND.slack + 86_400 * BOUND.ratePerSecond;
    expect(restored.apply(heartbeat(a, seq, [entry('jdoe', 1)], 100_000)).outcome).toBe('applied');
  });

  it('of a source the table does not know are any (a notifier that lost its state, a new source)', () => {
    const { table } = guarded();
    expect(table.apply({ ...heartbeat(a, 1, [], 5000), seq: MAX_SEQ - 5n }).outcome).toBe('applied');
  });

  it('are judged by the slack alone when the clock went back', () => {
    const { table, clock } = guarded();
    table.apply(heartbeat(a, 1, [], 5000));
    clock.now -= 3_600_000;
    expect(table.apply(register(a, 2 + BOUND.slack, command('jdoe'))).outcome).toBe('applied');
    expect(table.apply(register(a, 2 + 2 * BOUND.slack + 2, command('jdoe')))).toMatchObject({ reason: 'implausible-sequence' });
  });
});

describe('sources per pid', () => {
  it('beyond maxSourcesPerPid are rejected as too-many-sources-for-pid, whatever host or epoch they name', () => {
    const { table } = guarded({ maxSourcesPerPid: 2 });
    expect(table.apply(heartbeat(source(7, '0000000000000001'), 1, [], 5000)).outcome).toBe('applied');
    expect(table.apply(heartbeat(source(7, '0000000000000002', 'other'), 1, [], 5000)).outcome).toBe('applied');
    const before = snapshotOf(table);
    expect(table.apply(register(source(7, '0000000000000003'), 1, command('jdoe')))).toMatchObject({ outcome: 'rejected', reason: 'too-many-sources-for-pid' });
    expect(snapshotOf(table)).toBe(before);
    expect(table.apply(heartbeat(source(8), 1, [], 5000)).outcome).toBe('applied');
  });

  it('free a slot when one of the pid goes (expiry, purge)', () => {
    const { table, clock } = guarded({ maxSourcesPerPid: 1 });
    const first = source(7, '0000000000000001');
    const next = source(7, '0000000000000002');
    table.apply(heartbeat(first, 1, [], 5000));
    expect(table.apply(heartbeat(next, 1, [], 5000)).outcome).toBe('rejected');
    clock.now += 3000;
    expect(table.expire()).toHaveLength(1);
    expect(table.apply(heartbeat(next, 1, [], 5000)).outcome).toBe('applied');
    expect(table.purge(sourceKey(next))).toBe(true);
    expect(table.apply(heartbeat(first, 1, [], 5000)).outcome).toBe('applied');
  });
});
