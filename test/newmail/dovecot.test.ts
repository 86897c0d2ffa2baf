// SPDX-License-Identifier: GPL-3.0-or-later
// From a real Dovecot to the OpenChange side: dovecot-lda delivers offline, its push_notification
// driver (Dovecot's OX driver, or our Lua script) tells the notifier, and a subscriber for the
// user that a real C backend process holds receives the notification.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subscriber, type Notification } from '../../src/addon/subscriber.js';
import { DovecotMailbox, requireDovecot, type Driver } from '../support/dovecot.js';
import { NotificationSubscriber, metricValue, postNewmail, waitForSubscriptions } from '../support/newmail.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, spawnSender, type TestProcess } from '../support/processes.js';
import { makeTokenFile } from '../support/temp.js';
import { waitForHolding } from '../support/senders.js';

const DRIVERS: Driver[] = ['ox', 'lua'];
const INTAKE: Record<Driver, string> = { ox: 'ox', lua: 'newmail' };
const LOGGED_FAILURE: Record<Driver, RegExp> = {
  ox: /Error: push-notification-ox: Error when sending notification: .*Connection refused/,
  lua: /Error: mapistore-mgmt: POST http:\/\/\S+\/v1\/newmail failed: .*Connection refused/,
};

let notifier: RunningNotifier;
const { path: tokenFile, token } = makeTokenFile();
let backend: TestProcess;
let jdoe: NotificationSubscriber;
/** Subscribed to everything: anything published at all arrives here, in order. */
let everything: NotificationSubscriber;
/** The C library's subscriber (through the addon), as an OpenChange server process holds it. */
let openchange: Subscriber;

/** The next `count` notifications the C subscriber takes. */
async function take(count: number): Promise<Notification[]> {
  const taken: Notification[] = [];
  if (count === 0) return taken;
  for await (const notification of openchange) {
    taken.push(notification);
    if (taken.length === count) break;
  }
  return taken;
}

beforeAll(async () => {
  requireDovecot();
  notifier = await startNotifier({ args: ['--http-token-file', tokenFile] });
  // A backend process holding (SOGo, jdoe, jdoe) until told to unregister it; bob's registration
  // stays, to show what still gets through.
  backend = spawnSender(['register jdoe SOGo jdoe', 'register bob SOGo sales', 'hold', 'unregister jdoe SOGo jdoe', 'hold'], {
    endpoint: notifier.endpoint,
    heartbeatMs: 200,
  });
  await waitForHolding(backend);
  await notifier.waitFor('jdoe and bob registered', async (n) => (await n.users()).length === 2);
  jdoe = new NotificationSubscriber(notifier.publish);
  jdoe.subscribe('jdoe');
  everything = new NotificationSubscriber(notifier.publish);
  everything.subscribe();
  await waitForSubscriptions(notifier, 2);
  // PUB drops what it sends before a subscription arrives: post for jdoe until one reaches it.
  openchange = new Subscriber(notifier.publish);
  openchange.subscribe('jdoe');
  for (let attempt = 1; openchange.next() === null; attempt++) {
    expect((await postNewmail(notifier, token, { backend: 'SOGo', vuser: 'jdoe', folder: 'INBOX', messageId: `warm-up-${attempt}` })).status).toBe(200);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  while (openchange.next() !== null);
});

afterAll(async () => {
  openchange?.close();
  await jdoe?.close();
  await everything?.close();
  await cleanup();
});

async function mailbox(user: string, driver: Driver): Promise<DovecotMailbox> {
  const box = new DovecotMailbox(user, driver, { httpUrl: notifier.httpUrl, token });
  if (driver === 'ox') await box.enableOx();
  return box;
}

async function deliver(box: DovecotMailbox, subject: string): Promise<void> {
  const result = await box.deliver(subject);
  expect(result.code, `${result.stderr}\n${box.log()}`).toBe(0);
}

let barriers = 0;
/** Publishes a marker for bob and waits for it at `everything`, which then holds everything
 * published before it (one PUB connection keeps order); returns the marker's index. */
async function barrier(): Promise<number> {
  const messageId = `barrier-${++barriers}`;
  expect((await postNewmail(notifier, token, { backend: 'SOGo', vuser: 'sales', folder: 'INBOX', messageId })).status).toBe(200);
  return everything.waitForMessage(messageId);
}

describe.each(DRIVERS)('Dovecot %s driver', (driver) => {
  it('a delivery for jdoe reaches the subscriber for jdoe, with the folder and uid', async () => {
    const box = await mailbox('jdoe', driver);
    const before = jdoe.received.length;
    await deliver(box, `Lunch via ${driver}?`);
    await deliver(box, `Dinner via ${driver}?`);
    const received = (await jdoe.waitForCount(before + 2)).slice(before);
    expect(received.map((r) => [r.topic, r.notification.backend, r.notification.username, r.notification.vuser, r.notification.folder, r.notification.messageId])).toEqual([
      ['jdoe\0', 'SOGo', 'jdoe', 'jdoe', 'INBOX', '1'],
      ['jdoe\0', 'SOGo', 'jdoe', 'jdoe', 'INBOX', '2'],
    ]);
    const [first, second] = received.map((r) => r.notification);
    expect(first?.subject).toBe(`Lunch via ${driver}?`);
    expect(first?.sender).toMatch(/alice@example\.org/);
    expect(first?.uidValidity).toBeGreaterThan(0);
    expect(second?.uidValidity).toBe(first?.uidValidity);
    // The C subscriber gets the same two, in order.
    const fromC = await take(2);
    expect(fromC.map((n) => [n.backend, n.username, n.vuser, n.folder, n.messageId, n.uidValidity])).toEqual(
      received.map((r) => [r.notification.backend, r.notification.username, r.notification.vuser, r.notification.folder, r.notification.messageId, r.notification.uidValidity]),
    );
  });

  it('a delivery for a user nobody holds reaches nobody and is counted', async () => {
    const box = await mailbox('ghost', driver);
    const labels = { intake: INTAKE[driver], result: 'no-registered-user' };
    const counted = await metricValue(notifier, 'mapistore_mgmt_newmail_events_total', labels);
    const seen = (await barrier()) + 1;
    await deliver(box, 'Anyone?');
    await notifier.waitFor('the event counted as no-registered-user', async (n) => (await metricValue(n, 'mapistore_mgmt_newmail_events_total', labels)) === counted + 1);
    expect(everything.received.slice(seen, await barrier())).toEqual([]);
  });
});

describe('after the backend unregisters jdoe', () => {
  beforeAll(async () => {
    backend.signal('SIGTERM'); // on to the unregister
    await waitForHolding(backend, 2);
    await notifier.waitFor('jdoe unregistered', async (n) => (await n.registeredUsers('SOGo', 'jdoe')).usernames.length === 0);
  });

  it.each(DRIVERS)('the next delivery through the %s driver reaches nobody', async (driver) => {
    const box = await mailbox('jdoe', driver);
    const labels = { intake: INTAKE[driver], result: 'no-registered-user' };
    const counted = await metricValue(notifier, 'mapistore_mgmt_newmail_events_total', labels);
    const seen = (await barrier()) + 1;
    await deliver(box, 'Still there?');
    await notifier.waitFor('the event counted as no-registered-user', async (n) => (await metricValue(n, 'mapistore_mgmt_newmail_events_total', labels)) === counted + 1);
    expect(everything.received.slice(seen, await barrier())).toEqual([]);
  });
});

describe('with the notifier down', () => {
  it.each(DRIVERS)('a delivery through the %s driver still succeeds; Dovecot logs the failed notification', async (driver) => {
    const box = await mailbox('jdoe', driver);
    if (notifier.process.running) expect(await notifier.stop()).toEqual({ code: 0, signal: null });
    await deliver(box, 'Nobody listens');
    expect(box.savedCount()).toBe(1);
    expect(box.log()).toMatch(LOGGED_FAILURE[driver]);
  });
});
