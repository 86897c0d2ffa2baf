// SPDX-License-Identifier: GPL-3.0-or-later
// A Subscriber whose ipc directory does not exist yet is held, not connected (a local user who
// made the directory first would learn the subscribed usernames): next() returns null with
// `held` saying why, and the iterator keeps looking; once the directory is made (the
// notifier's, 0700) the subscription reaches a zeromq.js XPUB bound there and notifications
// arrive.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { XPublisher } from 'zeromq';
import { Subscriber } from '../../src/index.js';
import { loadNotificationVectors } from '../support/notification-frames.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

afterAll(removeTempDirs);

it('is held while its directory does not exist, and connects once it does', async () => {
  const vector = loadNotificationVectors().find((candidate) => candidate.name === 'newmail-basic');
  if (!vector?.topic || !vector.notification) throw new Error('no vector newmail-basic');
  const directory = join(makeTempDir('mm-addon-held-'), 'later');
  const endpoint = `ipc://${join(directory, 'newmail.sock')}`;
  const subscriber = new Subscriber(endpoint);
  subscriber.subscribe(vector.notification.username);
  expect(subscriber.next()).toBeNull();
  expect(subscriber.held?.code).toBe('MAPISTORE_ERR_NO_DIRECTORY');

  const arriving = (async () => {
    for await (const notification of subscriber) return notification;
    return undefined;
  })();
  mkdirSync(directory, { mode: 0o700 });
  const publisher = new XPublisher({ receiveTimeout: 30_000 }); // a hang guard only
  await publisher.bind(endpoint);
  const [subscription] = await publisher.receive();
  expect(subscription).toEqual(Buffer.concat([Buffer.from([1]), vector.topic]));
  await publisher.send([vector.topic, vector.body]);
  expect(await arriving).toEqual(vector.notification);
  expect(subscriber.held).toBeUndefined();
  subscriber.close();
  publisher.close();
});
