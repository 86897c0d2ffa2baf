// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import type { ChangeEvent } from '../../src/table/types.js';
import { command, entry, goodbye, heartbeat, register, setup, source, unregister } from './fixtures.js';

const a = source(100);
const b = source(200);
const jdoe = command('jdoe');

function summary(events: ChangeEvent[]): string[] {
  return events.map((e) => `${e.kind} ${e.backend}/${e.username}/${e.vuser}`);
}

describe('change events', () => {
  it('fire only when a triple total goes 0 -> >0 and >0 -> 0, over all sources', () => {
    const { table, events, clock } = setup();
    table.apply(register(a, 1, jdoe));
    table.apply(register(a, 2, jdoe));
    table.apply(register(b, 1, jdoe));
    expect(summary(events)).toEqual(['registered SOGo/jdoe/jdoe']);
    expect(events[0]?.at).toBe(clock.now);
    table.apply(unregister(a, 3, jdoe));
    table.apply(unregister(a, 4, jdoe));
    expect(events).toHaveLength(1);
    clock.now += 7;
    table.apply(unregister(b, 2, jdoe));
    expect(summary(events)).toEqual(['registered SOGo/jdoe/jdoe', 'unregistered SOGo/jdoe/jdoe']);
    expect(events[1]?.at).toBe(clock.now);
  });

  it('fire for snapshots, goodbyes, expiries and purges', () => {
    const { table, events, clock } = setup();
    table.apply(heartbeat(a, 1, [entry('jdoe', 1), entry('alice', 2)]));
    table.apply(heartbeat(a, 2, [entry('alice', 1), entry('bob', 1)]));
    expect(summary(events)).toEqual([
      'registered SOGo/jdoe/jdoe',
      'registered SOGo/alice/alice',
      'unregistered SOGo/jdoe/jdoe',
      'registered SOGo/bob/bob',
    ]);
    events.length = 0;
    table.apply(goodbye(a, 3));
    expect(summary(events).sort()).toEqual(['unregistered SOGo/alice/alice', 'unregistered SOGo/bob/bob']);

    events.length = 0;
    table.apply(register(b, 1, jdoe));
    clock.now += 60_000;
    table.expire();
    expect(summary(events)).toEqual(['registered SOGo/jdoe/jdoe', 'unregistered SOGo/jdoe/jdoe']);

    events.length = 0;
    table.apply(register(b, 1, jdoe));
    table.purge(sourceKey(b));
    expect(summary(events)).toEqual(['registered SOGo/jdoe/jdoe', 'unregistered SOGo/jdoe/jdoe']);
  });

  it('reach listeners once the table is consistent', () => {
    const { table } = setup();
    const seen: number[] = [];
    table.onChange(() => seen.push(table.userCount));
    table.apply(heartbeat(a, 1, [entry('jdoe', 1), entry('alice', 1)]));
    expect(seen).toEqual([2, 2]);
  });

  it('stop after unsubscribing', () => {
    const { table } = setup();
    const seen: ChangeEvent[] = [];
    const stop = table.onChange((e) => seen.push(e));
    table.apply(register(a, 1, jdoe));
    stop();
    table.apply(unregister(a, 2, jdoe));
    expect(summary(seen)).toEqual(['registered SOGo/jdoe/jdoe']);
  });

  it('reach a listener given `wanted` only while it wants them, the others all along', () => {
    const { table, events } = setup();
    let wanting = false;
    const seen: ChangeEvent[] = [];
    table.onChange((e) => seen.push(e), () => wanting);
    table.apply(register(a, 1, jdoe));
    wanting = true;
    table.apply(unregister(a, 2, jdoe));
    table.apply(register(a, 3, command('alice')));
    wanting = false;
    table.apply(unregister(a, 4, command('alice')));
    expect(summary(seen)).toEqual(['unregistered SOGo/jdoe/jdoe', 'registered SOGo/alice/alice']);
    expect(events).toHaveLength(4);
  });
});
