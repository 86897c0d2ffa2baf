// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import { RegistrationTable } from '../../src/table/table.js';
import { command, entry, heartbeat, options, register, setup, source } from './fixtures.js';

const a = source(100);
const b = source(200);

describe('leases', () => {
  it('run multiplier x the default interval from the last message until a heartbeat announces one', () => {
    const { table, clock } = setup();
    table.apply(register(a, 1, command('jdoe')));
    expect(table.sources()[0]).toMatchObject({ intervalMs: 5000, leaseMs: 15_000, expiresAt: clock.now + 15_000 });
    clock.now += 14_999;
    expect(table.expire()).toEqual([]);
    table.apply(register(a, 2, command('jdoe')));
    clock.now += 14_999;
    expect(table.expire()).toEqual([]);
    clock.now += 1;
    expect(table.expire().map((row) => [row.key, row.registrations])).toEqual([[sourceKey(a), 2]]);
    expect(table.sourceCount).toBe(0);
    expect(table.users()).toEqual([]);
  });

  it('follow the announced interval, clamped to [minLeaseMs, maxLeaseMs]', () => {
    const { table, clock } = setup();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1)], 100));
    table.apply(heartbeat(b, 1, [entry('alice', 1)], 3_600_000));
    expect(table.sources().map((s) => s.leaseMs)).toEqual([2000, 60_000]);
    clock.now += 2000;
    expect(table.expire().map((row) => row.key)).toEqual([sourceKey(a)]);
    clock.now += 58_000;
    expect(table.expire().map((row) => row.key)).toEqual([sourceKey(b)]);
  });

  it('are renewed by each heartbeat', () => {
    const { table, clock } = setup();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1)], 1000));
    for (let seq = 2; seq < 10; seq++) {
      clock.now += 2999;
      table.apply(heartbeat(a, seq, [entry('jdoe', 1)], 1000));
      expect(table.expire()).toEqual([]);
    }
    expect(table.users()).toHaveLength(1);
  });

  it('are not renewed by a rejected message', () => {
    const { table, clock } = setup();
    table.apply(register(a, 5, command('jdoe')));
    clock.now += 10_000;
    expect(table.apply(register(a, 5, command('jdoe'))).outcome).toBe('rejected');
    clock.now += 5000;
    expect(table.expire()).toHaveLength(1);
  });

  it('let a silent source expire while others stay', () => {
    const { table, clock } = setup();
    table.apply(register(a, 1, command('jdoe')));
    clock.now += 10_000;
    table.apply(register(b, 1, command('jdoe')));
    clock.now += 5000;
    expect(table.expire().map((row) => row.key)).toEqual([sourceKey(a)]);
    expect(table.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
  });
});

describe('purge', () => {
  it('removes a source by key and says whether it existed', () => {
    const { table } = setup();
    table.apply(register(a, 1, command('jdoe')));
    table.apply(register(b, 1, command('alice')));
    expect(table.purge(sourceKey(a))).toBe(true);
    expect(table.purge(sourceKey(a))).toBe(false);
    expect(table.users().map((r) => r.username)).toEqual(['alice']);
  });
});

describe('options', () => {
  it.each([
    ['a negative limit', { limits: { maxSources: -1, maxRegistrationsPerSource: 1 } }, /maxSources/],
    ['a fractional limit', { limits: { maxSources: 1, maxRegistrationsPerSource: 1.5 } }, /maxRegistrationsPerSource/],
    ['a NaN interval', { lease: { defaultIntervalMs: NaN, multiplier: 3, minLeaseMs: 1, maxLeaseMs: 2 } }, /defaultIntervalMs/],
    ['min above max', { lease: { defaultIntervalMs: 1, multiplier: 3, minLeaseMs: 5, maxLeaseMs: 2 } }, /minLeaseMs/],
  ])('are refused with %s', (_, override, message) => {
    expect(() => new RegistrationTable({ ...options({ now: 0 }), ...override })).toThrow(message);
  });
});
