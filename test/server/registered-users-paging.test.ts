// SPDX-License-Identifier: GPL-3.0-or-later
// GET /v1/registered-users is paged like the listings (limit, cursor, next), at most 1000
// usernames an answer, against a real notifier; the CLI follows the pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredUsers } from '../../src/server/api-types.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';

/** One more than an answer holds by default (and at most). */
const MANY = 1001;
const many = Array.from({ length: MANY }, (_, i) => `u${String(i).padStart(4, '0')}`);

describe('registered-users, paged', () => {
  let notifier: RunningNotifier;
  const page = (query: string) => notifier.get<RegisteredUsers>(`/v1/registered-users?${query}`);

  beforeAll(async () => {
    notifier = await startNotifier({ heartbeatMs: 60_000 });
    const sender = new FakeSource(connectPush(notifier.endpoint), 'many.example.org', 9);
    await sender.heartbeat(60_000, [...many.map((u): [string, string, string, number] => ['SOGo', u, 'shared', 1]), ['SOGo', 'ann', 'pair', 1], ['SOGo', 'bob', 'pair', 1]]);
    await notifier.waitFor('the heartbeat applied', async (n) => (await n.status()).sizes.users === MANY + 2);
  });

  afterAll(async () => {
    closePushSockets();
    await cleanup();
  });

  it('answers at most 1000 by default, and the rest after the cursor', async () => {
    const first = await page('backend=SOGo&vuser=shared');
    expect(first.usernames).toEqual(many.slice(0, 1000));
    expect(first.next).toEqual(expect.any(String));
    const rest = await page(`backend=SOGo&vuser=shared&cursor=${first.next}`);
    expect(rest).toEqual({ backend: 'SOGo', vuser: 'shared', usernames: many.slice(1000), next: null });
  });

  it('gives no cursor when exactly limit remain, and one when limit + 1 do', async () => {
    expect(await page('backend=SOGo&vuser=pair&limit=2')).toEqual({ backend: 'SOGo', vuser: 'pair', usernames: ['ann', 'bob'], next: null });
    const first = await page('backend=SOGo&vuser=pair&limit=1');
    expect(first.usernames).toEqual(['ann']);
    expect(first.next).toEqual(expect.any(String));
    expect(await page(`backend=SOGo&vuser=pair&limit=1&cursor=${first.next}`)).toEqual({ backend: 'SOGo', vuser: 'pair', usernames: ['bob'], next: null });
    expect(await page('backend=SOGo&vuser=nobody')).toEqual({ backend: 'SOGo', vuser: 'nobody', usernames: [], next: null });
  });

  it('refuses a bad cursor or limit with 400 and a message saying what to give', async () => {
    const cursorHelp = 'query parameter "cursor" must be the "next" of a previous page, given once';
    const cases: Array<[query: string, message: string]> = [
      ['cursor=not*base64', cursorHelp],
      // Base64url text, but not a username: a NUL, and 256 bytes.
      [`cursor=${Buffer.from('a\0b').toString('base64url')}`, cursorHelp],
      [`cursor=${Buffer.from('x'.repeat(256)).toString('base64url')}`, cursorHelp],
      ['limit=0', 'query parameter "limit" must be a whole number from 1 to 1000, given once'],
      ['limit=1001', 'query parameter "limit" must be a whole number from 1 to 1000, given once'],
      ['user=ann', 'unknown query parameter "user" (known: backend, vuser, cursor, limit)'],
    ];
    for (const [query, message] of cases) {
      const response = await fetch(`${notifier.httpUrl}/v1/registered-users?backend=SOGo&vuser=shared&${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { message: string }).message, query).toBe(message);
    }
  });

  it('is followed page by page by the CLI', async () => {
    const cli = (...args: string[]) => runCli(['registered-users', ...args, '--http', notifier.httpUrl]);
    expect((await cli('SOGo', 'shared')).stdout).toBe(many.map((u) => `${u}\n`).join(''));
    expect(JSON.parse((await cli('SOGo', 'shared', '--json')).stdout)).toEqual({ backend: 'SOGo', vuser: 'shared', usernames: many });
    expect((await cli('SOGo', 'shared', '--limit', '2')).stdout).toBe('u0000\nu0001\n');
  });
});
