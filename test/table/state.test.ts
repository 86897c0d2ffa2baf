// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import { RegistrationTable } from '../../src/table/table.js';
import { checkSavedTable, type PersistedTable } from '../../src/table/state-schema.js';
import { command, entry, GUID, heartbeat, options, register, setup, source } from './fixtures.js';

const a = source(100);
const b = source(200);

function saved() {
  const fixture = setup();
  const { table, clock } = fixture;
  table.apply(heartbeat(a, 10, [entry('jdoe', 2), entry('amy', 1, 'shared')], 2000, 5n));
  table.apply(register(a, 13, { ...command('amy', 'shared'), replId: 77 }));
  clock.now += 500;
  table.apply(register(b, 1, command('jdoe')));
  return { ...fixture, state: JSON.parse(JSON.stringify(fixture.table.toState())) as PersistedTable };
}

function restore(state: unknown, now: number, limits = {}): RegistrationTable {
  const clock = { now };
  return RegistrationTable.fromState(checkSavedTable(state, 'state'), options(clock, limits));
}

describe('toState / fromState', () => {
  it('round-trips registrations, sequences, intervals, drops and gaps through JSON', () => {
    const { table, state, clock } = saved();
    expect(state).toMatchObject({ format: 'mapistore-mgmt-table', version: 1, savedAt: clock.now });
    const restored = restore(state, clock.now);
    expect(restored.users()).toEqual(table.users());
    expect(restored.sourceRegistrations(sourceKey(a))).toEqual(table.sourceRegistrations(sourceKey(a)));
    const strip = ({ expiresAt: _e, restored: _r, ...row }: ReturnType<RegistrationTable['sources']>[number]) => row;
    expect(restored.sources().map(strip)).toEqual(table.sources().map(strip));
    expect(restored.sources().every((row) => row.restored)).toBe(true);
    expect([restored.sourceCount, restored.registrationCount, restored.userCount]).toEqual([2, 5, 2]);
  });

  it('writes each source as JSON in pieces that describe the moment of the first piece', () => {
    const { table } = setup({ maxRegistrationsPerSource: 5000 });
    table.apply(heartbeat(a, 1, [entry('jdoe', 2)], 2000, 5n));
    for (let i = 0; i < 1200; i++) table.apply(register(b, 1 + i, command(`u${i}`)));
    const expected = table.toState().sources.map((saved) => JSON.stringify(saved));
    let seq = 5000;
    const pieces = [...table.savedSourcesJson()].map((text, index) => {
      const parts: string[] = [];
      for (const part of text) {
        parts.push(part);
        // Changes to b between its pieces do not reach the text being written.
        if (index === 1) table.apply(register(b, seq++, command(`late${seq}`)));
      }
      return parts;
    });
    expect(pieces.map((parts) => parts.join(''))).toEqual(expected);
    expect(pieces[1]).toHaveLength(5); // 1200 registrations: the head, three pieces, the end
    expect(table.sourceRegistrations(sourceKey(b))).toHaveLength(1205);
  });

  it('keeps each source sequence: an old seq is stale, the next one in order', () => {
    const { state, clock } = saved();
    const restored = restore(state, clock.now);
    expect(restored.apply(register(a, 13, command('x'))).outcome).toBe('rejected');
    expect(restored.apply(register(a, 14, command('x')))).toMatchObject({ outcome: 'applied', gap: 0n, newSource: false });
  });

  it('expires restored sources not heard within one interval plus the grace', () => {
    const { state, clock } = saved();
    const restoredAt = clock.now + 100;
    const restored = restore(state, restoredAt);
    // a announced 2000 ms: due by restoredAt + 3000. b never announced one, so the default
    // 5000 ms applies: due by restoredAt + 6000 (its saved lease would run 9 s longer).
    expect(restored.sources().map((row) => row.expiresAt)).toEqual([restoredAt + 3000, restoredAt + 6000]);
  });

  it('never extends a lease that runs out before the restore deadline', () => {
    const { state, clock } = saved();
    const restoredAt = clock.now + 14_000;
    const restored = restore(state, restoredAt);
    // b was last heard at clock.now with a 15 s lease.
    expect(restored.sources()[1]?.expiresAt).toBe(clock.now + 15_000);
  });

  it('never extends the deadline across repeated restarts', () => {
    const { state, clock } = saved();
    const first = restore(state, clock.now);
    const again = restore(JSON.parse(JSON.stringify(first.toState())), clock.now + 2000);
    expect(again.sources()[0]?.expiresAt).toBe(clock.now + 3000);
  });

  it('lets the dead go and keeps those that heartbeat again', () => {
    const { state, clock } = saved();
    const now = { now: clock.now + 100 };
    const restored = RegistrationTable.fromState(state, options(now));
    now.now += 2500;
    restored.apply(heartbeat(a, 14, [entry('jdoe', 1)], 2000));
    expect(restored.sources()[0]).toMatchObject({ restored: false, expiresAt: now.now + 6000 });
    now.now += 3500;
    expect(restored.expire().map((row) => row.key)).toEqual([sourceKey(b)]);
    expect(restored.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
  });

  it('restores a source whose sequence jumped past 2^53 (a gap count beyond safe integers)', () => {
    const { table, clock } = setup();
    table.apply(register(a, 1, command('jdoe')));
    table.apply({ ...register(a, 2, command('jdoe')), seq: 2n ** 64n - 1n });
    const restored = restore(JSON.parse(JSON.stringify(table.toState())), clock.now);
    expect(restored.sources()[0]).toMatchObject({ lastSeq: '18446744073709551615', gaps: '18446744073709551613', registrations: 2 });
  });

  it('emits changes for restored registrations that later go away', () => {
    const { state, clock } = saved();
    const now = { now: clock.now };
    const restored = RegistrationTable.fromState(state, options(now));
    const types: string[] = [];
    restored.onChange((e) => types.push(`${e.kind} ${e.username}`));
    now.now += 60_000;
    restored.expire();
    expect(types.sort()).toEqual(['unregistered amy', 'unregistered jdoe']);
  });
});

describe('fromState refuses a bad state with a descriptive error', () => {
  const good = (): PersistedTable => ({
    format: 'mapistore-mgmt-table',
    version: 1,
    savedAt: 1,
    sources: [
      {
        host: 'h',
        pid: 1,
        epoch: '0000000000000001',
        lastSeq: '1',
        announcedIntervalMs: null,
        lastHeardAt: 1,
        expiresAt: 15_001,
        droppedReported: '0',
        gaps: '0',
        registrations: [['SOGo', 'jdoe', 'jdoe', GUID, 1, 1]],
      },
    ],
  });
  // Edits work on a loosely typed copy: they write what a PersistedTable may not hold.
  type Loose = Record<string, unknown> & { sources: Record<string, unknown>[] };
  type Edit = (state: Loose) => unknown;
  const cases: [string, Edit, RegExp][] = [
    ['not an object', () => 'hello', /^state: must be object$/],
    ['another format', (s) => ({ ...s, format: 'x' }), /state\/format: /],
    ['a newer version', (s) => ({ ...s, version: 2 }), /state\/version: /],
    ['sources not a list', (s) => ({ ...s, sources: {} }), /state\/sources: must be array/],
    ['a zero pid', (s) => ((s.sources[0]!.pid = 0), s), /state\/sources\/0\/pid: must be >= 1/],
    ['an upper-case epoch', (s) => ((s.sources[0]!.epoch = '000000000000000A'), s), /epoch/],
    ['a zero seq', (s) => ((s.sources[0]!.lastSeq = '0'), s), /lastSeq/],
    ['a seq beyond u64', (s) => ((s.sources[0]!.lastSeq = '18446744073709551616'), s), /lastSeq/],
    ['a numeric seq', (s) => ((s.sources[0]!.lastSeq = 5), s), /lastSeq/],
    ['a zero interval', (s) => ((s.sources[0]!.announcedIntervalMs = 0), s), /announcedIntervalMs/],
    ['an unknown deadline', (s) => ((s.sources[0]!.expiresAt = null), s), /expiresAt/],
    ['negative gaps', (s) => ((s.sources[0]!.gaps = -1), s), /gaps/],
    ['fractional gaps', (s) => ((s.sources[0]!.gaps = '1.5'), s), /gaps/],
    ['an empty host', (s) => ((s.sources[0]!.host = ''), s), /host/],
    ['a NUL in a name', (s) => ((s.sources[0]!.registrations = [['SO\0Go', 'u', 'v', GUID, 1, 1]]), s), /registrations\/0\/0: must match format "str8"/],
    ['a name over 255 bytes', (s) => ((s.sources[0]!.registrations = [['é'.repeat(128), 'u', 'v', GUID, 1, 1]]), s), /registrations\/0\/0: must match format "str8"/],
    ['a lone surrogate in a name', (s) => ((s.sources[0]!.registrations = [['b', '\uD800x', 'v', GUID, 1, 1]]), s), /registrations\/0\/1: must match format "str8"/],
    ['a zero count', (s) => ((s.sources[0]!.registrations = [['b', 'u', 'v', GUID, 1, 0]]), s), /registrations\/0\/5: must be >= 1/],
    ['a short registration', (s) => ((s.sources[0]!.registrations = [['b', 'u', 'v', GUID, 1]]), s), /registrations\/0: /],
    ['a bad guid', (s) => ((s.sources[0]!.registrations = [['b', 'u', 'v', 'nope', 1, 1]]), s), /registrations\/0\/3: must match pattern/],
    [
      'a triple twice',
      (s) => ((s.sources[0]!.registrations = [['b', 'u', 'v', GUID, 1, 1], ['b', 'u', 'v', GUID, 2, 1]]), s),
      /names a triple twice/,
    ],
    ['a source twice', (s) => ({ ...s, sources: [s.sources[0], s.sources[0]] }), /names source h\/1\/0000000000000001 twice/],
  ];
  it.each(cases)('%s', (_, edit, message) => {
    const state = edit(good() as unknown as Loose);
    expect(() => restore(state, 0)).toThrow(message);
  });

  it('accepts the unedited state', () => {
    expect(restore(good(), 0).users()).toHaveLength(1);
  });

  it('refuses a state beyond the configured limits', () => {
    const two = { ...good(), sources: [good().sources[0]!, { ...good().sources[0]!, pid: 2 }] };
    expect(() => restore(two, 0, { maxSources: 1 })).toThrow(/more sources than the limit of 1/);
    expect(() => restore(good(), 0, { maxRegistrationsPerSource: 0 })).toThrow(/more triples than the limit of 0/);
  });
});
