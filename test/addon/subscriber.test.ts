// SPDX-License-Identifier: GPL-3.0-or-later
// The addon's Subscriber against a zeromq.js XPUB publishing the golden vectors' frames: each
// valid vector arrives with exactly its fields, malformed ones are counted and skipped, another
// user's never arrive, unsubscribe stops delivery, and close() ends an iteration. The XPUB
// receives the subscriptions, so each test waits for its own to arrive instead of for time.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, expect, it } from 'vitest';
import { XPublisher } from 'zeromq';
import { MapistoreError, Subscriber } from '../../src/index.js';
import type { Notification } from '../../src/index.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';
import { loadNotificationVectors, type NotificationVector } from '../support/notification-frames.js';

const vectors = loadNotificationVectors();
const valid = vectors.filter((vector) => !vector.error);
const malformed = vectors.filter((vector) => vector.error);
const named = (name: string): NotificationVector => {
  const vector = vectors.find((candidate) => candidate.name === name);
  if (!vector) throw new Error(`no vector ${name}`);
  return vector;
};

const publisher = new XPublisher({ receiveTimeout: 30_000 }); // a hang guard only
let endpoint = '';
let subscriber: Subscriber;

/** Waits for the XPUB to receive the subscription (or its end) to `username`. */
async function subscription(subscribe: boolean, username: string): Promise<void> {
  const [message] = await publisher.receive();
  expect(message).toEqual(Buffer.concat([Buffer.from([subscribe ? 1 : 0]), Buffer.from(`${username}\0`)]));
}

async function publish(vector: NotificationVector, username?: string): Promise<void> {
  const topic = username === undefined ? vector.topic : Buffer.from(`${username}\0`);
  if (!topic) throw new Error(`vector ${vector.name} has no topic`);
  await publisher.send([topic, vector.body]);
}

/** What a valid vector must decode to. */
function expected(vector: NotificationVector): Notification {
  if (!vector.notification) throw new Error(`vector ${vector.name} is not a valid one`);
  return vector.notification;
}

/** The next `count` notifications, through the async iterator. */
async function take(count: number): Promise<Notification[]> {
  const taken: Notification[] = [];
  if (count === 0) return taken;
  for await (const notification of subscriber) {
    taken.push(notification);
    if (taken.length === count) break;
  }
  return taken;
}

beforeAll(async () => {
  endpoint = `ipc://${join(makeTempDir('mm-addon-subscriber-'), 'newmail.sock')}`;
  await publisher.bind(endpoint);
});

afterAll(() => {
  publisher.close();
  removeTempDirs();
});

beforeEach(() => {
  subscriber = new Subscriber(endpoint);
});

afterEach(async () => {
  subscriber.close();
  // Each test's subscriptions end with its connection: consume them so the next test starts clean.
  await drainUnsubscriptions();
});

const subscribed = new Set<string>();
async function subscribe(username: string): Promise<void> {
  subscriber.subscribe(username);
  subscribed.add(username);
  await subscription(true, username);
}
async function drainUnsubscriptions(): Promise<void> {
  while (subscribed.size > 0) {
    const [message] = await publisher.receive();
    if (message?.[0] === 0) subscribed.delete(message.subarray(1, -1).toString());
  }
}

it('delivers every valid vector with exactly its fields, and skips and counts the malformed ones', async () => {
  for (const username of new Set(valid.map((vector) => expected(vector).username))) await subscribe(username);
  for (const vector of malformed) await publish(vector, 'jdoe');
  for (const vector of valid) await publish(vector);
  expect(await take(valid.length)).toEqual(valid.map(expected));
  expect(subscriber.next()).toBeNull();
  const stats = subscriber.stats();
  expect(stats).toEqual({
    delivered: valid.length,
    malformed: malformed.length,
    dropped: 0,
    lastMalformed: malformed[malformed.length - 1]?.error,
  });
});

it("never delivers another user's notification: jdoe does not get jdoe2's", async () => {
  await subscribe('jdoe');
  await publish(named('newmail-minimal'), 'jdoe2');
  await publish(named('newmail-basic'));
  expect(await take(1)).toEqual([expected(named('newmail-basic'))]);
  expect(subscriber.next()).toBeNull();
  expect(subscriber.stats().malformed).toBe(0);
});

it('next() returns null when nothing waits, and readable() resolves when something arrives', async () => {
  await subscribe('jdoe');
  expect(subscriber.next()).toBeNull();
  const readable = subscriber.readable();
  await publish(named('newmail-basic'));
  await readable;
  let notification: Notification | null = null;
  while (!(notification = subscriber.next())) await subscriber.readable(); // a spurious wake is allowed
  expect(notification).toEqual(expected(named('newmail-basic')));
  expect(subscriber.fd).toBeGreaterThan(2);
});

it('stops delivering after the last unsubscribe (subscriptions are counted)', async () => {
  await subscribe('jdoe');
  await subscribe('bob');
  subscriber.subscribe('jdoe');
  subscriber.unsubscribe('jdoe');
  await publish(named('newmail-basic'));
  await publish(named('newmail-shared'));
  expect(await take(2)).toEqual([expected(named('newmail-basic')), expected(named('newmail-shared'))]);

  subscriber.unsubscribe('jdoe');
  await subscription(false, 'jdoe');
  subscribed.delete('jdoe');
  await publish(named('newmail-basic'));
  await publish(named('newmail-shared'));
  // bob's, sent after jdoe's on the same connection, proves jdoe's would have come first.
  expect(await take(1)).toEqual([expected(named('newmail-shared'))]);
  expect(subscriber.next()).toBeNull();
});

it('close() ends an iteration that waits', async () => {
  await subscribe('jdoe');
  const iteration = take(1);
  subscriber.close();
  expect(await iteration).toEqual([]);
  expect(() => subscriber.next()).toThrow(/closed/);
});

it('refuses bad arguments: MapistoreError from the library, TypeError for the wrong type', () => {
  const invalid = expect.objectContaining({ code: 'MAPISTORE_ERR_INVALID_PARAMETER' });
  expect(() => new Subscriber('udp://nowhere')).toThrow(MapistoreError);
  expect(() => new Subscriber('udp://nowhere')).toThrow(invalid);
  expect(() => subscriber.subscribe('')).toThrow(invalid);
  expect(() => subscriber.unsubscribe('x'.repeat(256))).toThrow(invalid);
  expect(() => subscriber.subscribe(42 as unknown as string)).toThrow(TypeError);
});
