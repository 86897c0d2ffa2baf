// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import { command, goodbye, heartbeat, entry, register, setup, source, unregister } from './fixtures.js';

const a = source(100, '00000000000000aa', 'host-a');
const b = source(7, '00000000000000bb', 'host-b');

function filled() {
  const fixture = setup();
  const { table } = fixture;
  table.apply(register(a, 1, command('zed', 'shared')));
  table.apply(register(a, 2, command('amy', 'shared')));
  table.apply(register(a, 3, command('amy', 'amy')));
  table.apply(register(b, 1, command('amy', 'shared', 'Other')));
  table.apply(register(b, 2, command('Bob', 'shared')));
  table.apply(register(b, 3, command('amy', 'shared')));
  return fixture;
}

describe('queries', () => {
  it('users() lists every triple once, sorted by backend, username, vuser in code unit order', () => {
    const { table } = filled();
    expect(table.users()).toEqual([
      { backend: 'Other', username: 'amy', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'Bob', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'amy', vuser: 'amy', count: 1 },
      { backend: 'SOGo', username: 'amy', vuser: 'shared', count: 2 },
      { backend: 'SOGo', username: 'zed', vuser: 'shared', count: 1 },
    ]);
  });

  it.each([
    [{ backend: 'SOGo', vuser: 'shared' }, ['SOGo/Bob/shared', 'SOGo/amy/shared', 'SOGo/zed/shared']],
    [{ username: 'amy' }, ['Other/amy/shared', 'SOGo/amy/amy', 'SOGo/amy/shared']],
    [{ backend: 'Other' }, ['Other/amy/shared']],
    [{ vuser: 'amy' }, ['SOGo/amy/amy']],
    [{ backend: 'SOGo', username: 'amy', vuser: 'shared' }, ['SOGo/amy/shared']],
    [{ backend: 'sogo' }, []],
  ])('users(%o) filters exactly', (filter, expected) => {
    const { table } = filled();
    expect(table.users(filter).map((r) => `${r.backend}/${r.username}/${r.vuser}`)).toEqual(expected);
  });

  it('registeredUsers() gives the distinct usernames holding (backend, vuser)', () => {
    const { table } = filled();
    expect(table.registeredUsers('SOGo', 'shared')).toEqual(['Bob', 'amy', 'zed']);
    expect(table.registeredUsers('SOGo', 'nobody')).toEqual([]);
    table.apply(goodbye(b, 4));
    expect(table.registeredUsers('SOGo', 'shared')).toEqual(['amy', 'zed']);
  });

  it('sizes count sources, held registrations and distinct triples', () => {
    const { table } = filled();
    expect([table.sourceCount, table.registrationCount, table.userCount]).toEqual([2, 6, 5]);
  });

  it('sources() describes each source, sorted by key', () => {
    const { table, clock } = filled();
    clock.now += 100;
    table.apply(heartbeat(b, 9, [entry('amy', 4)], 1000, 12n));
    expect(table.sources()).toEqual([
      {
        key: sourceKey(a),
        host: 'host-a',
        pid: 100,
        epoch: '00000000000000aa',
        lastSeq: '3',
        intervalMs: 5000,
        leaseMs: 15_000,
        lastHeardAt: clock.now - 100,
        expiresAt: clock.now - 100 + 15_000,
        registrations: 3,
        triples: 3,
        droppedReported: '0',
        gaps: '0',
        restored: false,
      },
      {
        key: sourceKey(b),
        host: 'host-b',
        pid: 7,
        epoch: '00000000000000bb',
        lastSeq: '9',
        intervalMs: 1000,
        leaseMs: 3000,
        lastHeardAt: clock.now,
        expiresAt: clock.now + 3000,
        registrations: 4,
        triples: 1,
        droppedReported: '12',
        gaps: '5',
        restored: false,
      },
    ]);
  });
});

describe('pages', () => {
  /** Every page of a listing, `limit` rows a page. */
  function walk(table: ReturnType<typeof filled>['table'], filter: Parameters<typeof table.users>[0], limit: number, scanBudget?: number) {
    const pages = [];
    let after: string | undefined;
    do {
      const page = table.usersPage(filter ?? {}, after, limit, scanBudget);
      pages.push(page.rows);
      after = page.next;
    } while (after !== undefined);
    return pages;
  }

  it('split every listing into pages that join up to the whole, for every filter and page size', () => {
    const { table } = filled();
    const filters = [{}, { backend: 'SOGo' }, { username: 'amy' }, { vuser: 'shared' }, { backend: 'SOGo', vuser: 'shared' }, { backend: 'Other', username: 'amy' }, { backend: 'none' }];
    for (const filter of filters) {
      for (const limit of [1, 2, 3, 100]) {
        const pages = walk(table, filter, limit);
        expect(pages.flat(), JSON.stringify({ filter, limit })).toEqual(table.users(filter));
        expect(pages.every((page) => page.length <= limit)).toBe(true);
      }
    }
    // A listing that fits in one page says so: no cursor to follow.
    expect(table.usersPage({}, undefined, 5).next).toBeUndefined();
    expect(table.usersPage({}, undefined, 4).next).toBeDefined();
  });

  it('continue after a cursor whose triple, and its strings, went away meanwhile', () => {
    for (const [filter, limit] of [[{}, 2], [{ backend: 'SOGo' }, 1], [{ backend: 'SOGo', vuser: 'shared' }, 1]] as const) {
      const { table } = filled();
      const first = table.usersPage(filter, undefined, limit);
      expect(first.rows.at(-1)?.username).toBe('Bob');
      // Bob's only registration goes, and with it the string 'Bob'.
      table.apply(unregister(b, 4, command('Bob', 'shared')));
      const rest = table.usersPage(filter, first.next, 100);
      expect(rest.rows, JSON.stringify(filter)).toEqual(table.users(filter).slice(limit - 1));
    }
  });

  it('examine at most the scan budget for a filter without an index: short pages, then the rest', () => {
    const { table } = filled();
    const pages = walk(table, { vuser: 'amy' }, 10, 1);
    expect(pages.flat()).toEqual([{ backend: 'SOGo', username: 'amy', vuser: 'amy', count: 1 }]);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.some((page) => page.length === 0)).toBe(true);
  });

  it('list sources by key, page by page', () => {
    const { table } = filled();
    const first = table.sourcesPage(undefined, 1);
    expect(first.rows.map((row) => row.key)).toEqual([sourceKey(a)]);
    const second = table.sourcesPage(first.next, 1);
    expect(second.rows.map((row) => row.key)).toEqual([sourceKey(b)]);
    expect(second.next).toBeUndefined();
  });
});
