// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import { command, entry, goodbye, heartbeat, register, setup, snapshotOf, source, unregister } from './fixtures.js';

const a = source(100);
const b = source(200);
const jdoe = command('jdoe');

describe('register and unregister', () => {
  it('counts +1 per register and -1 per unregister; the entry disappears at 0', () => {
    const { table } = setup();
    expect(table.apply(register(a, 1, jdoe))).toEqual({ outcome: 'applied', source: sourceKey(a), newSource: true, gap: 0n, droppedGrowth: 0n, repairs: 0 });
    table.apply(register(a, 2, jdoe));
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 }]);
    expect(table.registrationCount).toBe(2);
    table.apply(unregister(a, 3, jdoe));
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
    expect(table.apply(unregister(a, 4, jdoe)).outcome).toBe('applied');
    expect(table.users()).toEqual([]);
    expect(table.userCount).toBe(0);
    expect(table.registrationCount).toBe(0);
  });

  it('sums a triple over sources', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(register(b, 1, jdoe));
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 }]);
    expect(table.userCount).toBe(1);
  });

  it('keys on the exact, case-sensitive triple', () => {
    const { table } = setup();
    table.apply(register(a, 1, command('jdoe')));
    table.apply(register(a, 2, command('JDoe', 'jdoe')));
    table.apply(register(a, 3, command('jdoe', 'jdoe', 'sogo')));
    expect(table.userCount).toBe(3);
    expect(table.registeredUsers('SOGo', 'jdoe')).toEqual(['JDoe', 'jdoe']);
  });

  it('counts and ignores an unregister with nothing to match, never going negative', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(register(b, 1, command('alice')));
    // b holds no jdoe: the unregister must not take a's registration away.
    expect(table.apply(unregister(b, 2, jdoe))).toEqual({
      outcome: 'ignored',
      reason: 'unmatched-unregister',
      source: sourceKey(b),
      newSource: false,
      gap: 0n,
      droppedGrowth: 0n,
      repairs: 0,
    });
    expect(table.users({ username: 'jdoe' })).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
    // The message still counted in sequence: the next one is in order.
    expect(table.apply(register(b, 3, jdoe))).toMatchObject({ outcome: 'applied', gap: 0n });
  });

  it('keeps the last replica seen for a triple', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(register(a, 2, { ...jdoe, replicaGuid: 'ffffffff-0000-0000-0000-000000000001', replId: 9 }));
    expect(table.sourceRegistrations(sourceKey(a))).toEqual([
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', replicaGuid: 'ffffffff-0000-0000-0000-000000000001', replId: 9, count: 2 },
    ]);
    expect(table.sourceRegistrations('nobody/1/0000000000000000')).toBeUndefined();
  });

  it('keeps each triple replica apart when they differ within a source', () => {
    const { table } = setup();
    const other = { replicaGuid: 'aaaaaaaa-0000-0000-0000-000000000002', replId: 2 };
    table.apply(register(a, 1, command('u1')));
    table.apply(register(a, 2, { ...command('u2'), ...other }));
    table.apply(register(a, 3, command('u3')));
    table.apply(heartbeat(a, 4, [entry('u1', 1), { ...entry('u2', 1), replicaGuid: command('u2').replicaGuid }, { ...entry('u3', 1), ...other }]));
    const replicas = table.sourceRegistrations(sourceKey(a))?.map((e) => `${e.username} ${e.replicaGuid} ${e.replId}`);
    expect(replicas?.sort()).toEqual([
      `u1 ${command('u1').replicaGuid} 1`,
      `u2 ${command('u2').replicaGuid} 1`,
      `u3 ${other.replicaGuid} 2`,
    ]);
  });
});

describe('counts past 32 bits', () => {
  it('stay exact per source and in total, and come back down', () => {
    const { table } = setup();
    const most = 0xffff_ffff; // the largest count a heartbeat entry carries
    table.apply(heartbeat(a, 1, [entry('jdoe', most)]));
    table.apply(register(a, 2, jdoe));
    table.apply(heartbeat(b, 1, [entry('jdoe', most)]));
    expect(table.sourceRegistrations(sourceKey(a))?.map((e) => e.count)).toEqual([most + 1]);
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 * most + 1 }]);
    table.apply(unregister(a, 3, jdoe));
    table.apply(unregister(a, 4, jdoe));
    expect(table.sourceRegistrations(sourceKey(a))?.map((e) => e.count)).toEqual([most - 1]);
    expect(table.users()[0]?.count).toBe(2 * most - 1);
    table.apply(goodbye(b, 2));
    expect(table.users()[0]?.count).toBe(most - 1);
    expect(table.registrationCount).toBe(most - 1);
  });
});

describe('counts across 16 bits (the width a count column holds in place)', () => {
  it('stay exact going over and back under, per source and in total', () => {
    const { table } = setup();
    const edge = 0xffff;
    table.apply(heartbeat(a, 1, [entry('jdoe', edge - 1)]));
    table.apply(register(a, 2, jdoe));
    table.apply(register(a, 3, jdoe));
    expect(table.sourceRegistrations(sourceKey(a))?.map((e) => e.count)).toEqual([edge + 1]);
    table.apply(heartbeat(b, 1, [entry('jdoe', 2)]));
    expect(table.users()[0]?.count).toBe(edge + 3);
    table.apply(unregister(a, 4, jdoe));
    table.apply(unregister(a, 5, jdoe));
    expect(table.sourceRegistrations(sourceKey(a))?.map((e) => e.count)).toEqual([edge - 1]);
    expect(table.users()[0]?.count).toBe(edge + 1);
    table.apply(goodbye(b, 2));
    expect(table.users()[0]?.count).toBe(edge - 1);
    expect(table.registrationCount).toBe(edge - 1);
  });
});

describe('heartbeat snapshots', () => {
  it("replace the source's set and count the triples that differed as repairs", () => {
    const { table } = setup();
    table.apply(register(a, 1, command('jdoe')));
    table.apply(register(a, 2, command('alice')));
    table.apply(register(a, 3, command('bob')));
    table.apply(register(b, 1, command('bob')));
    // jdoe unchanged (1), alice 1 -> 3, bob dropped, carol new: 3 repairs.
    const result = table.apply(heartbeat(a, 4, [entry('jdoe', 1), entry('alice', 3), entry('carol', 1)]));
    expect(result).toEqual({ outcome: 'applied', source: sourceKey(a), newSource: false, gap: 0n, droppedGrowth: 0n, repairs: 3 });
    expect(table.users().map((r) => [r.username, r.count])).toEqual([
      ['alice', 3],
      ['bob', 1],
      ['carol', 1],
      ['jdoe', 1],
    ]);
  });

  it('record the announced interval and the dropped total', () => {
    const { table } = setup();
    table.apply(heartbeat(a, 1, [], 250, 7n));
    expect(table.sources()[0]).toMatchObject({ intervalMs: 250, droppedReported: '7', leaseMs: 2000 });
  });

  it('count only rises of the dropped total: a lower total adds nothing and is not the new base', () => {
    const { table } = setup();
    expect(table.apply(heartbeat(a, 1, [], 5000, 100n))).toMatchObject({ droppedGrowth: 100n });
    expect(table.apply(heartbeat(a, 2, [], 5000, 5n))).toMatchObject({ droppedGrowth: 0n });
    expect(table.sources()[0]?.droppedReported).toBe('100');
    expect(table.apply(heartbeat(a, 3, [], 5000, 100n))).toMatchObject({ droppedGrowth: 0n });
    expect(table.apply(heartbeat(a, 4, [], 5000, 2n ** 64n - 1n))).toMatchObject({ droppedGrowth: 2n ** 64n - 101n });
    expect(table.apply(register(a, 5, jdoe))).toMatchObject({ droppedGrowth: 0n });
  });

  it('create a source from its first heartbeat, rebuilding its set', () => {
    const { table } = setup();
    expect(table.apply(heartbeat(a, 40, [entry('jdoe', 2)]))).toMatchObject({ newSource: true, repairs: 1 });
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 }]);
  });

  it("list the source's set in the order of its last snapshot, then the triples registered since", () => {
    const { table } = setup();
    const names = () => table.sourceRegistrations(sourceKey(a))?.map((e) => `${e.username}:${e.count}`);
    table.apply(register(a, 1, command('jdoe')));
    table.apply(register(a, 2, command('alice')));
    table.apply(register(a, 3, command('bob')));
    expect(table.apply(heartbeat(a, 4, [entry('bob', 1), entry('carol', 2), entry('jdoe', 1)]))).toMatchObject({ repairs: 2 });
    expect(names()).toEqual(['bob:1', 'carol:2', 'jdoe:1']);
    table.apply(register(a, 5, command('dave')));
    expect(names()).toEqual(['bob:1', 'carol:2', 'jdoe:1', 'dave:1']);
    // The same snapshot again, and one in yet another order: nothing to repair either time.
    expect(table.apply(heartbeat(a, 6, [entry('bob', 1), entry('carol', 2), entry('jdoe', 1), entry('dave', 1)]))).toMatchObject({ repairs: 0 });
    expect(table.apply(heartbeat(a, 7, [entry('dave', 1), entry('jdoe', 1), entry('bob', 1), entry('carol', 2)]))).toMatchObject({ repairs: 0 });
    expect(names()).toEqual(['dave:1', 'jdoe:1', 'bob:1', 'carol:2']);
    expect(table.users().map((r) => `${r.username}:${r.count}`)).toEqual(['bob:1', 'carol:2', 'dave:1', 'jdoe:1']);
  });

  it('an empty snapshot empties the source but keeps it', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(heartbeat(a, 2, []));
    expect(table.users()).toEqual([]);
    expect(table.sources()).toHaveLength(1);
  });
});

describe('goodbye', () => {
  it('removes the source and its registrations only', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(register(b, 1, jdoe));
    expect(table.apply(goodbye(a, 2)).outcome).toBe('applied');
    expect(table.sources().map((s) => s.key)).toEqual([sourceKey(b)]);
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
  });

  it('from an unknown source is counted and ignored, creating nothing', () => {
    const { table } = setup();
    expect(table.apply(goodbye(a, 5))).toMatchObject({ outcome: 'ignored', reason: 'unknown-source', newSource: false });
    expect(table.sourceCount).toBe(0);
  });

  it('forgets the source whole: a later message from it is a new source, at any seq, with fresh totals', () => {
    const { table } = setup();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1)], 5000, 9n));
    table.apply(register(a, 5, command('amy')));
    table.apply(goodbye(a, 6));
    expect(table.apply(heartbeat(a, 2, [], 5000, 9n))).toMatchObject({ outcome: 'applied', newSource: true, gap: 0n, droppedGrowth: 9n });
    expect(table.sources()[0]).toMatchObject({ lastSeq: '2', gaps: '0', registrations: 0 });
  });
});

describe('an unregister from an unknown source', () => {
  it('creates the source, empty, and is ignored as unmatched; its seq counts', () => {
    const { table } = setup();
    expect(table.apply(unregister(a, 7, jdoe))).toMatchObject({ outcome: 'ignored', reason: 'unmatched-unregister', newSource: true });
    expect(table.sources()).toMatchObject([{ key: sourceKey(a), registrations: 0, lastSeq: '7' }]);
    expect(table.apply(register(a, 7, jdoe))).toMatchObject({ outcome: 'rejected', reason: 'stale-sequence' });
  });
});

describe('sources', () => {
  it('a new epoch from a known host and pid is a new source; the old one lives on', () => {
    const { table } = setup();
    const old = source(100, '0000000000000001');
    const reborn = source(100, '0000000000000002');
    table.apply(register(old, 1, jdoe));
    expect(table.apply(register(reborn, 1, jdoe))).toMatchObject({ newSource: true, gap: 0n });
    expect(table.sourceCount).toBe(2);
    expect(table.users()[0]?.count).toBe(2);
  });

  it('a source with nothing left is kept, so its sequence tracking survives', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(unregister(a, 2, jdoe));
    expect(table.sources()).toMatchObject([{ key: sourceKey(a), registrations: 0, triples: 0, lastSeq: '2' }]);
    expect(table.apply(register(a, 2, jdoe))).toMatchObject({ outcome: 'rejected', reason: 'stale-sequence' });
  });
});

describe('sequence numbers', () => {
  it('accept any first seq, count a jump forward as a gap and apply it', () => {
    const { table } = setup();
    expect(table.apply(register(a, 1000, jdoe))).toMatchObject({ gap: 0n });
    expect(table.apply(register(a, 1004, jdoe))).toMatchObject({ outcome: 'applied', gap: 3n });
    expect(table.apply(goodbye(b, 9))).toMatchObject({ gap: 0n });
    table.apply(register(b, 1, jdoe));
    expect(table.apply(goodbye(b, 3))).toMatchObject({ outcome: 'applied', gap: 1n });
    expect(table.users()[0]?.count).toBe(2);
  });

  it('sum gaps exactly, even past 2^53', () => {
    const { table } = setup();
    table.apply(register(a, 1, jdoe));
    expect(table.apply({ ...register(a, 1, jdoe), seq: 2n ** 64n - 3n })).toMatchObject({ gap: 2n ** 64n - 5n });
    expect(table.apply({ ...register(a, 1, jdoe), seq: 2n ** 64n - 1n })).toMatchObject({ gap: 1n });
    expect(table.sources()[0]?.gaps).toBe((2n ** 64n - 4n).toString());
  });

  it('track the full u64 range', () => {
    const { table } = setup();
    table.apply({ ...register(a, 1, jdoe), seq: 2n ** 64n - 2n });
    expect(table.apply({ ...register(a, 1, jdoe), seq: 2n ** 64n - 1n })).toMatchObject({ outcome: 'applied', gap: 0n });
    expect(table.sources()[0]?.lastSeq).toBe('18446744073709551615');
  });

  it.each([
    ['repeated', 5],
    ['older', 3],
  ])('reject a %s seq as stale and change nothing', (_, seq) => {
    const { table, events } = setup();
    table.apply(register(a, 5, jdoe));
    const before = snapshotOf(table);
    const eventsBefore = events.length;
    for (const message of [register(a, seq, command('x')), unregister(a, seq, jdoe), heartbeat(a, seq, []), goodbye(a, seq)]) {
      expect(table.apply(message)).toEqual({ outcome: 'rejected', reason: 'stale-sequence', source: sourceKey(a) });
    }
    expect(snapshotOf(table)).toBe(before);
    expect(events).toHaveLength(eventsBefore);
  });
});

describe('limits', () => {
  it('reject a message that would add a source beyond maxSources, changing nothing', () => {
    const { table } = setup({ maxSources: 2 });
    table.apply(register(a, 1, jdoe));
    table.apply(heartbeat(b, 1, []));
    const before = snapshotOf(table);
    const c = source(300);
    for (const message of [register(c, 1, jdoe), unregister(c, 1, jdoe), heartbeat(c, 1, [])]) {
      expect(table.apply(message)).toEqual({ outcome: 'rejected', reason: 'too-many-sources', source: sourceKey(c) });
    }
    expect(snapshotOf(table)).toBe(before);
    // Known sources still work at the limit.
    expect(table.apply(register(a, 2, jdoe)).outcome).toBe('applied');
  });

  it('reject a register that would hold too many distinct triples, changing no registration', () => {
    const { table } = setup({ maxRegistrationsPerSource: 2 });
    table.apply(register(a, 1, command('u1')));
    table.apply(register(a, 2, command('u2')));
    const users = table.users();
    expect(table.apply(register(a, 3, command('u3')))).toMatchObject({
      outcome: 'rejected',
      reason: 'too-many-registrations',
      source: sourceKey(a),
      renewed: { source: sourceKey(a), newSource: false, gap: 0n },
    });
    expect(table.users()).toEqual(users);
    // More of a triple already held is fine.
    expect(table.apply(register(a, 4, command('u2'))).outcome).toBe('applied');
  });

  it('reject a snapshot with too many triples, keeping the set; a new source is not created', () => {
    const { table } = setup({ maxRegistrationsPerSource: 2 });
    table.apply(register(a, 1, command('u1')));
    const users = table.users();
    const big = [entry('u1', 1), entry('u2', 1), entry('u3', 1)];
    expect(table.apply(heartbeat(a, 2, big))).toMatchObject({ outcome: 'rejected', reason: 'too-many-registrations' });
    expect(table.apply(heartbeat(b, 1, big))).toEqual({ outcome: 'rejected', reason: 'too-many-registrations', source: sourceKey(b) });
    expect(table.users()).toEqual(users);
    expect(table.sources().map((s) => s.key)).toEqual([sourceKey(a)]);
    expect(table.apply(heartbeat(a, 3, big.slice(0, 2))).outcome).toBe('applied');
  });

  it('still renew the lease of a known source whose message is over the limit, so it never expires for it', () => {
    const { table, clock } = setup({ maxRegistrationsPerSource: 1 });
    table.apply(heartbeat(a, 1, [entry('u1', 1)], 1000));
    const big = [entry('u1', 1), entry('u2', 1)];
    let seq = 1;
    for (let i = 0; i < 10; i++) {
      clock.now += 2000; // the lease is 3 x 1000 ms
      seq += 2; // one message lost on the way: the gap is taken in all the same
      const message = i % 2 === 0 ? heartbeat(a, seq, big, 1000) : register(a, seq, command('u2'));
      expect(table.apply(message)).toMatchObject({ outcome: 'rejected', reason: 'too-many-registrations', renewed: { gap: 1n } });
      expect(table.expire()).toEqual([]);
    }
    expect(table.sources()).toMatchObject([{ key: sourceKey(a), intervalMs: 1000, gaps: '10', lastSeq: String(seq) }]);
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'u1', vuser: 'u1', count: 1 }]);
  });
});

describe('the global registration limit', () => {
  it('rejects a register or snapshot that would hold more triples over all sources, changing no registration', () => {
    const { table } = setup({ maxRegistrations: 3 });
    table.apply(register(a, 1, command('u1')));
    table.apply(register(a, 2, command('u2')));
    table.apply(register(b, 1, command('u1')));
    expect(table.heldCount).toBe(3);
    const before = JSON.stringify([table.users(), table.registrationCount]);
    // A known source's refused message still renews its lease (its set stays as it was).
    expect(table.apply(register(b, 2, command('u3')))).toMatchObject({ outcome: 'rejected', reason: 'table-full', source: sourceKey(b), renewed: { source: sourceKey(b) } });
    const c = source(300);
    const unknown = table.apply(heartbeat(c, 1, [entry('u9', 1)]));
    expect(unknown).toMatchObject({ outcome: 'rejected', reason: 'table-full' });
    expect(unknown.outcome === 'rejected' && unknown.renewed).toBe(undefined);
    expect(table.apply(heartbeat(a, 3, [entry('u1', 1), entry('u2', 1), entry('u3', 1)]))).toMatchObject({ outcome: 'rejected', reason: 'table-full' });
    expect(JSON.stringify([table.users(), table.registrationCount])).toBe(before);
    // What is already held can grow in count, and a snapshot that swaps triples fits.
    expect(table.apply(register(b, 3, command('u1'))).outcome).toBe('applied');
    expect(table.apply(heartbeat(a, 4, [entry('u3', 1), entry('u4', 2)])).outcome).toBe('applied');
    expect(table.heldCount).toBe(3);
    // Freed room is usable again.
    table.apply(goodbye(a, 5));
    expect(table.heldCount).toBe(1);
    expect(table.apply(register(b, 4, command('u5'))).outcome).toBe('applied');
  });
});

describe('outcomes', () => {
  it('tell for each kind whether the message changed the table or was taken in with nothing to change', () => {
    const { table } = setup();
    const messages = [register(a, 1, jdoe), unregister(a, 2, jdoe), unregister(a, 3, jdoe), heartbeat(a, 4, []), goodbye(a, 5), goodbye(a, 6)];
    expect(messages.map((message) => `${message.kind} ${table.apply(message).outcome}`)).toEqual([
      'register applied',
      'unregister applied',
      'unregister ignored',
      'heartbeat applied',
      'goodbye applied',
      'goodbye ignored',
    ]);
  });
});
