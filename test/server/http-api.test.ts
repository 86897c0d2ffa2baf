// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP API's shapes, filters, validation, purge and change stream, against a real notifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Push } from 'zeromq';
import { REJECT_REASONS } from '../../src/protocol/types.js';
import type { ChangeEvent, SourcesPage, SourceView, UserEntry, UsersPage } from '../../src/server/api-types.js';
import { TABLE_REJECT_REASONS } from '../../src/table/types.js';
import { readEvents } from '../../src/cli/sse.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { makeTokenFile } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

/** Beta's announced interval: its lease (3 intervals) outlasts this file on any machine, and
 * differs from alpha's, which is the notifier's default (60 s). */
const BETA_INTERVAL_MS = 90_000;

describe('the HTTP API', () => {
  let notifier: RunningNotifier;
  let push: Push;
  let alpha: FakeSource;
  let beta: FakeSource;
  const { path: tokenFile, token } = makeTokenFile();
  const authorization = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    notifier = await startNotifier({ heartbeatMs: 60_000, args: ['--http-token-file', tokenFile] });
    push = connectPush(notifier.endpoint);
    alpha = new FakeSource(push, 'alpha.example.org', 100);
    beta = new FakeSource(push, 'beta.example.org', 200, 'fedcba9876543210');
    await alpha.register('SOGo', 'jdoe', 'jdoe');
    await alpha.register('SOGo', 'jdoe', 'jdoe');
    await alpha.register('SOGo', 'ann', 'shared');
    await beta.heartbeat(BETA_INTERVAL_MS, [['SOGo', 'jdoe', 'jdoe', 1], ['SOGo', 'bob', 'shared', 3], ['Other', 'jdoe', 'jdoe', 1]], 7n);
    await notifier.waitFor('both sources applied', async (n) => (await n.status()).sizes.registrations === 8);
  });

  afterAll(async () => {
    closePushSockets();
    await cleanup();
  });

  it('lists users summed over sources, sorted, with filters', async () => {
    expect(await notifier.users()).toEqual([
      { backend: 'Other', username: 'jdoe', vuser: 'jdoe', count: 1 },
      { backend: 'SOGo', username: 'ann', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'bob', vuser: 'shared', count: 3 },
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 3 },
    ]);
    expect(await notifier.users({ backend: 'SOGo', vuser: 'shared' })).toHaveLength(2);
    expect(await notifier.users({ username: 'jdoe' })).toHaveLength(2);
    expect(await notifier.users({ backend: 'sogo' })).toEqual([]);
  });

  it('pages every listing with a cursor, one row at a time as well as all at once', async () => {
    const first = await notifier.get<UsersPage>('/v1/users?limit=3');
    expect(first.users).toHaveLength(3);
    expect(first.next).toEqual(expect.any(String));
    const last = await notifier.get<UsersPage>(`/v1/users?limit=3&cursor=${first.next}`);
    expect([...first.users, ...last.users]).toEqual(await notifier.users());
    expect(last.next).toBeNull();
    const byOne = (query: Record<string, string>) => notifier.allPages<UsersPage, UserEntry>('/v1/users', query, (page) => page.users, 1);
    const queries: Array<Record<string, string>> = [{}, { backend: 'SOGo' }, { username: 'jdoe' }, { vuser: 'shared' }, { backend: 'SOGo', vuser: 'shared' }, { backend: 'SOGo', username: 'jdoe' }];
    for (const query of queries) {
      expect(await byOne(query), JSON.stringify(query)).toEqual(await notifier.users(query));
      expect((await byOne(query)).length, JSON.stringify(query)).toBeGreaterThan(0);
    }
    const sources = await notifier.allPages<SourcesPage, SourceView>('/v1/sources', {}, (page) => page.sources, 1);
    expect(sources.map((s) => s.key)).toEqual([alpha.key, beta.key]);
  });

  it('answers registered-users with the distinct usernames', async () => {
    expect(await notifier.registeredUsers('SOGo', 'shared')).toEqual({ backend: 'SOGo', vuser: 'shared', usernames: ['ann', 'bob'], next: null });
    expect(await notifier.registeredUsers('SOGo', 'nobody')).toEqual({ backend: 'SOGo', vuser: 'nobody', usernames: [], next: null });
  });

  it('rejects bad query parameters with 400 and a message naming the parameter', async () => {
    const cases: Array<[method: string, path: string, message: string]> = [
      ['GET', '/v1/users?user=jdoe', 'unknown query parameter "user" (known: backend, vuser, username, cursor, limit)'],
      ['GET', '/v1/users?backend=', 'query parameter "backend" is empty: give a value or leave it out'],
      ['GET', `/v1/users?vuser=${'x'.repeat(256)}`, 'query parameter "vuser" is longer than 255 characters'],
      ['GET', '/v1/users?backend=SOGo&backend=Other', 'query parameter "backend" is given more than once'],
      ['GET', '/v1/registered-users?backend=SOGo', 'missing query parameter "vuser"'],
      ['GET', '/v1/registered-users?backend=SOGo&vuser=', 'query parameter "vuser" is empty: give a value'],
      ['GET', '/v1/sources?verbose=1', 'unknown query parameter "verbose" (known: cursor, limit)'],
      ['GET', '/v1/users?limit=0', 'query parameter "limit" must be a whole number from 1 to 1000, given once'],
      ['GET', '/v1/users?limit=1001', 'query parameter "limit" must be a whole number from 1 to 1000, given once'],
      ['GET', '/v1/sources?limit=x', 'query parameter "limit" must be a whole number from 1 to 1000, given once'],
      ['GET', '/v1/users?cursor=not*base64', 'query parameter "cursor" must be the "next" of a previous page, given once'],
      ['GET', '/v1/users?cursor=YWJj', 'query parameter "cursor" must be the "next" of a previous page, given once'],
      ['GET', '/v1/status?x', 'unknown query parameter "x" (this request takes none)'],
      ['GET', '/v1/events?since=3', 'unknown query parameter "since" (known: username)'],
      ['DELETE', `/v1/sources/${beta.key}?force=1`, 'unknown query parameter "force" (this request takes none)'],
    ];
    for (const [method, path, message] of cases) {
      const response = await fetch(`${notifier.httpUrl}${path}`, { method, headers: authorization });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { message: string }).message, path).toBe(message);
    }
    expect((await notifier.sources()).map((s) => s.key)).toContain(beta.key);
  });

  it('lists sources with what they hold and their leases', async () => {
    const sources = await notifier.sources();
    expect(sources.map((s) => s.key)).toEqual([alpha.key, beta.key]);
    const [a, b] = sources;
    expect(a).toMatchObject({ host: 'alpha.example.org', pid: 100, epoch: '0123456789abcdef', registrations: 3, triples: 2, lastSeq: '3', intervalMs: 60_000, restored: false });
    expect(b).toMatchObject({ registrations: 5, triples: 3, intervalMs: BETA_INTERVAL_MS, leaseMs: 3 * BETA_INTERVAL_MS, droppedReported: '7', gaps: '0' });
    expect(Date.parse(b?.expiresAt ?? '')).toBeGreaterThan(Date.parse(b?.lastHeardAt ?? ''));
  });

  it('reports status: version, endpoint, counters and sizes', async () => {
    const status = await notifier.status();
    expect(status).toMatchObject({ version: '1.1.0', endpoint: notifier.endpoint, ready: true, sizes: { sources: 2, users: 4, registrations: 8 } });
    expect(status.counters.messages).toEqual({ register: { applied: 3 }, heartbeat: { applied: 1 } });
    expect(status.counters.senderDrops).toBe('7');
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('reports the same counts in /v1/status as in /metrics', async () => {
    const [status, text] = [await notifier.status(), await notifier.metrics()];
    const metric = (name: string, labels = ''): number => {
      const line = text.split('\n').find((l) => l.startsWith(`mapistore_mgmt_${name}${labels} `));
      if (line === undefined) throw new Error(`no metric mapistore_mgmt_${name}${labels}`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const c = status.counters;
    for (const [kind, results] of Object.entries(c.messages)) {
      for (const [result, count] of Object.entries(results)) expect(metric('messages_total', `{kind="${kind}",result="${result}"}`), `${kind} ${result}`).toBe(count);
    }
    for (const [reason, count] of Object.entries(c.rejections)) expect(metric('rejections_total', `{reason="${reason}"}`), reason).toBe(count);
    expect([c.repairs, Number(c.gaps), c.expirations, c.unmatchedUnregisters, Number(c.senderDrops)]).toEqual(
      ['repairs_total', 'sequence_gaps_total', 'expirations_total', 'unmatched_unregisters_total', 'sender_dropped_total'].map((name) => metric(name)),
    );
    expect([status.sizes.sources, status.sizes.users, status.sizes.registrations]).toEqual(['sources', 'users', 'registrations'].map((name) => metric(name)));
    // Every reason is reported from the start, at 0 until it happens.
    expect(Object.keys(c.rejections).sort()).toEqual([...REJECT_REASONS, ...TABLE_REJECT_REASONS].sort());
  });

  it('exposes Prometheus metrics, health and readiness', async () => {
    const metrics = await notifier.metrics();
    expect(metrics).toContain('mapistore_mgmt_registrations 8');
    expect(metrics).toContain('mapistore_mgmt_users 4');
    expect(metrics).toContain('mapistore_mgmt_sources 2');
    expect(metrics).toContain('mapistore_mgmt_messages_total{kind="register",result="applied"} 3');
    expect(metrics).toContain('mapistore_mgmt_sender_dropped_total 7');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect(await notifier.get('/healthz')).toEqual({ status: 'ok' });
    expect(await notifier.get('/readyz')).toEqual({ ready: true, reasons: [] });
  });

  it('streams registered/unregistered events, and forgets a subscriber that disconnects', async () => {
    const abort = new AbortController();
    const response = await fetch(`${notifier.httpUrl}/v1/events`, { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: ChangeEvent[] = [];
    const sseNames: string[] = [];
    const reading = (async () => {
      for await (const { event, data } of readEvents(response.body!)) {
        sseNames.push(event);
        events.push(JSON.parse(data) as ChangeEvent);
      }
    })().catch(() => undefined); // the abort below ends the stream with an AbortError
    expect(await notifier.metrics()).toContain('mapistore_mgmt_event_subscribers 1');
    const gamma = new FakeSource(push, 'gamma.example.org', 300);
    // Retried until the stream is subscribed: the first events may precede the subscription.
    await waitFor('the registered event', async () => {
      await gamma.register('SOGo', 'zed', 'zed');
      await gamma.unregister('SOGo', 'zed', 'zed');
      return events.some((e) => e.kind === 'unregistered');
    });
    const first = events.find((e) => e.kind === 'registered');
    expect(first).toMatchObject({ backend: 'SOGo', username: 'zed', vuser: 'zed' });
    expect(Number.isNaN(Date.parse(first?.time ?? ''))).toBe(false);
    expect(events.findIndex((e) => e.kind === 'registered')).toBeLessThan(events.findIndex((e) => e.kind === 'unregistered'));
    expect(sseNames).toEqual(events.map((e) => e.kind));
    abort.abort();
    await reading;
    await notifier.waitFor('the subscriber forgotten', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 0'));
    await gamma.goodbye();
  });

  it('purges a source by key (404 for an unknown one)', async () => {
    const missing = await fetch(`${notifier.httpUrl}/v1/sources/nowhere/1/0000000000000000`, { method: 'DELETE', headers: authorization });
    expect(missing.status).toBe(404);
    const purged = await fetch(`${notifier.httpUrl}/v1/sources/${beta.key}`, { method: 'DELETE', headers: authorization });
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ purged: beta.key });
    await notifier.waitFor('beta gone', async (n) => (await n.sources()).length === 1);
    expect(await notifier.users()).toEqual([
      { backend: 'SOGo', username: 'ann', vuser: 'shared', count: 1 },
      { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 2 },
    ]);
  });
});
