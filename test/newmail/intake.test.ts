// SPDX-License-Identifier: GPL-3.0-or-later
// POST /v1/newmail end to end: a real notifier, a real C sender holding registrations, and a
// zeromq.js subscriber decoding what the PUB socket carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/cli/sse.js';
import type { NewmailStreamEvent } from '../../src/server/api-types.js';
import { NotificationSubscriber, metricValue, postNewmail, waitForSubscriptions } from '../support/newmail.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, spawnSender, type TestProcess } from '../support/processes.js';
import { makeTokenFile } from '../support/temp.js';
import { waitForHolding } from '../support/senders.js';

let notifier: RunningNotifier;
const { path: tokenFile, token } = makeTokenFile();
let sender: TestProcess;
/** Subscribed to jdoe and bob. */
let servers: NotificationSubscriber;
/** Subscribed to every topic: sees anything published at all, in order. */
let everything: NotificationSubscriber;

const jdoeMail = { backend: 'SOGo', vuser: 'jdoe', folder: 'INBOX', messageId: 4711, uidValidity: 1700000000, sender: 'Alice <alice@example.org>', subject: 'Lunch?' };

beforeAll(async () => {
  notifier = await startNotifier({ args: ['--http-token-file', tokenFile] });
  sender = spawnSender(['register jdoe SOGo jdoe', 'register bob SOGo sales', 'register alice SOGo sales', 'hold', 'unregister jdoe SOGo jdoe', 'hold'], {
    endpoint: notifier.endpoint,
    heartbeatMs: 200,
  });
  await waitForHolding(sender);
  await notifier.waitFor('three registrations', async (n) => (await n.users()).length === 3);
  servers = new NotificationSubscriber(notifier.publish);
  servers.subscribe('jdoe');
  servers.subscribe('bob');
  everything = new NotificationSubscriber(notifier.publish);
  everything.subscribe();
  await waitForSubscriptions(notifier, 3);
});

afterAll(async () => {
  await servers?.close();
  await everything?.close();
  await cleanup();
});

let barriers = 0;
/** Posts a marker event for jdoe and waits for it at the catch-all subscriber, which then holds
 * everything published before it (one PUB connection keeps order); returns the marker's index. */
async function barrier(): Promise<number> {
  const messageId = `barrier-${++barriers}`;
  expect((await postNewmail(notifier, token, { ...jdoeMail, messageId })).status).toBe(200);
  return everything.waitForMessage(messageId);
}

describe('POST /v1/newmail', () => {
  it('routes one event to the user registered for (backend, vuser), with every field', async () => {
    const response = await postNewmail(notifier, token, jdoeMail);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [{ backend: 'SOGo', vuser: 'jdoe', result: 'delivered', usernames: ['jdoe'] }] });
    const [received] = await servers.waitForCount(1);
    expect(received).toEqual({
      topic: 'jdoe\0',
      notification: { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', folder: 'INBOX', messageId: '4711', uidValidity: 1700000000, sender: 'Alice <alice@example.org>', subject: 'Lunch?' },
    });
  });

  it('takes a batch: one notification per registered username, none for a pair nobody holds (counted)', async () => {
    const notRegisteredBefore = await metricValue(notifier, 'mapistore_mgmt_newmail_events_total', { intake: 'newmail', result: 'no-registered-user' });
    const seen = (await barrier()) + 1;
    const response = await postNewmail(notifier, token, [
      { backend: 'SOGo', vuser: 'sales', folder: 'INBOX/Comptabilité', messageId: '98', uidValidity: 3, subject: 'Fête ✓' },
      { backend: 'SOGo', vuser: 'ghost', folder: 'INBOX', messageId: '1' },
    ]);
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Array<{ result: string; usernames: string[] }> };
    expect(results.map((r) => [r.result, [...r.usernames].sort()])).toEqual([
      ['delivered', ['alice', 'bob']],
      ['no-registered-user', []],
    ]);
    const published = everything.received.slice(seen, await barrier());
    expect(published.map((r) => r.topic).sort()).toEqual(['alice\0', 'bob\0']);
    const toBob = published.find((r) => r.topic === 'bob\0')?.notification;
    expect(toBob).toEqual({ backend: 'SOGo', username: 'bob', vuser: 'sales', folder: 'INBOX/Comptabilité', messageId: '98', uidValidity: 3, subject: 'Fête ✓' });
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_events_total', { intake: 'newmail', result: 'no-registered-user' })).toBe(notRegisteredBefore + 1);
  });

  it.each([
    ['malformed JSON', '{"backend": "SOGo",', 400, 'invalid-json', /JSON/],
    ['a missing message id', { backend: 'SOGo', vuser: 'jdoe', folder: 'INBOX' }, 400, 'invalid-event', /missing field "messageId"/],
    ['a message id that is neither string nor number', { ...jdoeMail, messageId: { uid: 1 } }, 400, 'invalid-event', /"messageId" must be a string of 1 to 65535 characters or a whole number/],
    ['an unknown field', { ...jdoeMail, colour: 'red' }, 400, 'invalid-event', /unknown field "colour"/],
    ['a vuser of 256 UTF-8 bytes (128 characters)', { ...jdoeMail, vuser: 'é'.repeat(128) }, 400, 'invalid-event', /"vuser" is 256 bytes of UTF-8, more than 255/],
    ['a NUL in the folder', { ...jdoeMail, folder: 'IN\u0000BOX' }, 400, 'invalid-event', /"folder" contains a NUL/],
    ['an empty folder', { ...jdoeMail, folder: '' }, 400, 'invalid-event', /folder/],
    ['a uid validity above u32', { ...jdoeMail, uidValidity: 2 ** 32 }, 400, 'invalid-event', /uidValidity/],
    ['an unknown backend', { ...jdoeMail, backend: 'Kolab' }, 400, 'unknown-backend', /backend "Kolab" is not accepted/],
    ['one bad event in a batch', [jdoeMail, { ...jdoeMail, messageId: '' }], 400, 'invalid-event', /event 1: "messageId"/],
    ['an empty batch', [], 400, 'invalid-event', /empty array/],
    ['a body over 1 MiB', [jdoeMail, { ...jdoeMail, subject: 'x'.repeat(1024 * 1024) }], 413, 'body-too-large', /larger than 1048576 bytes/],
  ])('rejects %s whole, counted, nothing published', async (_what, body, status, reason, message) => {
    const seen = (await barrier()) + 1;
    const rejectedBefore = await metricValue(notifier, 'mapistore_mgmt_newmail_rejections_total', { intake: 'newmail', reason });
    const publishedBefore = await metricValue(notifier, 'mapistore_mgmt_newmail_notifications_total');
    const response = await postNewmail(notifier, token, body);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe(reason);
    expect(answer.message).toMatch(message);
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_rejections_total', { intake: 'newmail', reason })).toBe(rejectedBefore + 1);
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_notifications_total')).toBe(publishedBefore);
    expect(everything.received.slice(seen, await barrier())).toEqual([]);
  });

  it('needs the HTTP token: without it nothing is published (401, counted as an HTTP refusal)', async () => {
    const refused = await metricValue(notifier, 'mapistore_mgmt_http_refusals_total', { reason: 'unauthorized' });
    const published = await metricValue(notifier, 'mapistore_mgmt_newmail_notifications_total');
    const response = await postNewmail(notifier, 'not-the-token-at-all', jdoeMail);
    expect(response.status).toBe(401);
    expect(await metricValue(notifier, 'mapistore_mgmt_http_refusals_total', { reason: 'unauthorized' })).toBe(refused + 1);
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_notifications_total')).toBe(published);
  });

  it('rejects a body that is not JSON (415)', async () => {
    const response = await postNewmail(notifier, token, '<mail/>', { 'content-type': 'application/xml' });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toBe('unsupported-media-type');
  });

  it('carries each notification on the change stream, which a client may filter by username', async () => {
    const abort = new AbortController();
    const follow = async (path: string) => {
      const response = await fetch(`${notifier.httpUrl}${path}`, { signal: abort.signal });
      const events: NewmailStreamEvent[] = [];
      const reading = (async () => {
        for await (const { event, data } of readEvents(response.body!)) if (event === 'newmail') events.push(JSON.parse(data) as NewmailStreamEvent);
      })().catch(() => undefined); // ended by the abort
      return { events, reading };
    };
    const all = await follow('/v1/events');
    const bob = await follow('/v1/events?username=bob');
    await notifier.waitFor('two stream clients', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 2'));
    await postNewmail(notifier, token, [jdoeMail, { backend: 'SOGo', vuser: 'sales', folder: 'INBOX', messageId: '7' }]);
    await notifier.waitFor('three newmail events', () => all.events.length === 3);
    expect(all.events.map((e) => e.username).sort()).toEqual(['alice', 'bob', 'jdoe']);
    expect(all.events.find((e) => e.username === 'jdoe')).toMatchObject({ kind: 'newmail', backend: 'SOGo', vuser: 'jdoe', folder: 'INBOX', messageId: '4711', uidValidity: 1700000000, subject: 'Lunch?' });
    await postNewmail(notifier, token, { backend: 'SOGo', vuser: 'sales', folder: 'INBOX', messageId: '8' });
    await notifier.waitFor("bob's second event", () => bob.events.length === 2);
    expect(bob.events.map((e) => [e.username, e.vuser, e.messageId])).toEqual([
      ['bob', 'sales', '7'],
      ['bob', 'sales', '8'],
    ]);
    abort.abort();
    await Promise.all([all.reading, bob.reading]);
  });

  it('after the backend unregisters, the next event reaches nobody', async () => {
    const seen = (await barrier()) + 1;
    sender.signal('SIGTERM'); // on to the unregister
    await waitForHolding(sender, 2);
    await notifier.waitFor('jdoe unregistered', async (n) => (await n.registeredUsers('SOGo', 'jdoe')).usernames.length === 0);
    const response = await postNewmail(notifier, token, jdoeMail);
    expect(await response.json()).toEqual({ results: [{ backend: 'SOGo', vuser: 'jdoe', result: 'no-registered-user', usernames: [] }] });
    expect((await postNewmail(notifier, token, { backend: 'SOGo', vuser: 'sales', folder: 'INBOX', messageId: 'after' })).status).toBe(200);
    await everything.waitForCount(seen + 2);
    expect(everything.received.slice(seen).every((r) => r.notification.messageId === 'after')).toBe(true);
  });
});
