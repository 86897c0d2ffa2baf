// SPDX-License-Identifier: GPL-3.0-or-later
// The socket new-mail notifications go out on: an XPUB, so that the notifier also sees the
// subscriptions (a gauge operators and tests can read). It never blocks: a subscriber that falls
// SEND_HWM messages behind loses the newest ones (ZeroMQ drops them silently).
import { XPublisher, type SocketOptions } from 'zeromq';
import { encodeNotification, type Notification } from './notification.js';

/** Messages queued per subscriber before ZeroMQ drops for it. */
const SEND_HWM = 10_000;

export class NotificationPublisher {
  // sendTimeout 0: each send completes (or drops) inside the call, so sends never overlap
  // (zeromq.js refuses a send while one is pending: EBUSY). allSubsUnsubs: every subscription
  // and unsubscription is passed up, including those of a subscriber that disconnects.
  private readonly socket: XPublisher;
  private held = 0;
  private watching: Promise<void> | undefined;

  /** `access`: the ZAP domain of the notifier's peer check, when it has one. */
  constructor(
    readonly endpoint: string,
    access: Pick<SocketOptions<XPublisher>, 'zapDomain' | 'zapEnforceDomain'> = {},
  ) {
    this.socket = new XPublisher({ ...access, linger: 0, sendTimeout: 0, sendHighWaterMark: SEND_HWM, verbosity: 'allSubsUnsubs' });
  }

  /** Subscriptions held by connected subscribers (one per username each subscribes to). */
  get subscriptions(): number {
    return this.held;
  }

  /** Binds, starts counting subscriptions, and returns the endpoint as bound. */
  async bind(): Promise<string> {
    await this.socket.bind(this.endpoint);
    this.watching = this.watchSubscriptions();
    return this.socket.lastEndpoint ?? this.endpoint;
  }

  private async watchSubscriptions(): Promise<void> {
    try {
      for await (const [message] of this.socket) {
        if (message?.[0] === 1) this.held++;
        else if (message?.[0] === 0) this.held = Math.max(0, this.held - 1);
      }
    } catch {
      // Closed: nothing left to count.
    }
  }

  /** Queues one notification for the subscribers of its username; never waits. */
  publish(notification: Notification): void {
    // Already settled; it rejects only once the socket is closed, when nobody is left to tell.
    this.socket.send(encodeNotification(notification)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.watching;
  }
}
