// SPDX-License-Identifier: GPL-3.0-or-later
// New mail in tests: a zeromq.js SUB socket that decodes what the notifier publishes, and the
// notifier's new-mail counters.
import { Subscriber } from 'zeromq';
import type { Notification } from '../../src/newmail/notification.js';
import { decodeNotification } from './notification-frames.js';
import type { RunningNotifier } from './notifier.js';
import { waitFor } from './wait.js';

export interface Received {
  topic: string;
  notification: Notification;
}

/** Subscribes to usernames on a notifier's PUB socket and keeps every notification it receives. */
export class NotificationSubscriber {
  readonly received: Received[] = [];
  private readonly socket = new Subscriber({ linger: 0 });
  private readonly loop: Promise<void>;

  constructor(endpoint: string) {
    this.socket.connect(endpoint);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    try {
      for await (const [topic, body, ...more] of this.socket) {
        if (topic === undefined || body === undefined || more.length > 0) throw new Error('a notification is two frames');
        const decoded = decodeNotification(body);
        if (!decoded.ok) throw new Error(`undecodable notification: ${decoded.reason}`);
        this.received.push({ topic: topic.toString('utf8'), notification: decoded.notification });
      }
    } catch (error) {
      if (!this.socket.closed) throw error;
    }
  }

  /** Subscribes to one username (topic `username\0`), or to every notification without one. */
  subscribe(username?: string): void {
    if (username === undefined) this.socket.subscribe();
    else this.socket.subscribe(`${username}\0`);
  }

  /** Waits until `count` notifications have arrived in all, and returns them. */
  waitForCount(count: number): Promise<Received[]> {
    return waitFor(`${count} notification(s)`, () => this.received.length >= count && this.received);
  }

  /** Waits until a notification with `messageId` has arrived, and returns its index in `received`. */
  waitForMessage(messageId: string): Promise<number> {
    return waitFor(`the notification ${messageId}`, () => {
      const index = this.received.findIndex((r) => r.notification.messageId === messageId);
      return index === -1 ? undefined : index;
    });
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }
}

/** One sample of a Prometheus metric: `name{labels} value`, 0 when absent. */
export async function metricValue(notifier: RunningNotifier, name: string, labels: Record<string, string> = {}): Promise<number> {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).join(',');
  const sample = wanted === '' ? name : `${name}{${wanted}}`;
  const line = (await notifier.metrics()).split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** Waits until the notifier's PUB socket holds `count` subscriptions (so nothing published is lost to a late join). */
export function waitForSubscriptions(notifier: RunningNotifier, count: number): Promise<boolean> {
  return notifier.waitFor(`${count} new-mail subscription(s)`, async (n) => (await metricValue(n, 'mapistore_mgmt_newmail_subscriptions')) === count);
}

/** POST /v1/newmail with a JSON body (or raw text), authorized by the notifier's HTTP `token`. */
export function postNewmail(notifier: RunningNotifier, token: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${notifier.httpUrl}/v1/newmail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
