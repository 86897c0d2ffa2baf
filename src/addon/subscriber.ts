// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail subscriber (mapistore_mgmt_subscriber_*): subscribe to usernames, take what the
// notifier published without waiting, or wait for it without blocking. docs/node-api.md.
import type { MapistoreError } from './errors.js';
import { addon, errorFor } from './native-addon.js';
import type { NativeNotification, NativeSubscriber } from './native.js';
import { checkString } from './validate.js';
import type { Notification } from '../protocol/notification.js';

export type { Notification } from '../protocol/notification.js';

/** next()'s codes while the ipc directory does not exist (MAPISTORE_ERR_NO_DIRECTORY) or could
 * be another user's (MAPISTORE_ERR_DENIED): held, not connected, and the descriptor is silent. */
const HELD_ERRORS: ReadonlySet<string> = new Set(['MAPISTORE_ERR_NO_DIRECTORY', 'MAPISTORE_ERR_DENIED']);
/** How often readable() lets a held subscriber look at its directory again. */
const HELD_RECHECK_MS = 1_000;

/** The subscriber's counters since it was created. */
export interface SubscriberStats {
  /** Notifications returned by next(). */
  delivered: number;
  /** Frames skipped because they break the format. */
  malformed: number;
  /** Notifications lost for lack of memory. */
  dropped: number;
  /** Why the last malformed frame was refused ('truncated', ..., 'bad-envelope'), if one was. */
  lastMalformed?: string;
}

function notificationOf(native: NativeNotification): Notification {
  const { uidvalidity, sender, subject, ...required } = native;
  return { ...required, uidValidity: uidvalidity, ...(sender ? { sender } : {}), ...(subject ? { subject } : {}) };
}

/**
 * A subscriber to the notifier's new-mail notifications. `endpoint` defaults to
 * MAPISTORE_MGMT_NEWMAIL_ENDPOINT, else newmail.sock beside an ipc MAPISTORE_MGMT_ENDPOINT
 * (where that notifier publishes), else the library's default (docs/c-library.md). The notifier need not be running. Iterate it (`for await`) or call next() and
 * readable(). close() it when done: its watcher holds it, so a subscriber merely forgotten stays
 * open (without keeping the process alive) until the process or worker ends.
 */
export class Subscriber implements AsyncIterable<Notification> {
  #handle: NativeSubscriber | undefined;
  #wake: (() => void) | undefined;
  #held: MapistoreError | undefined;

  /** Throws a MapistoreError for an endpoint the library refuses or when ZeroMQ cannot open. */
  constructor(endpoint?: string) {
    const native = addon();
    const handle = native.subscriberNew(endpoint === undefined ? null : checkString('endpoint', endpoint));
    if (typeof handle === 'number') throw errorFor(handle);
    const code = native.subscriberWatch(handle, () => this.#woken());
    if (code !== native.SUCCESS) {
      native.subscriberClose(handle);
      throw errorFor(code);
    }
    this.#handle = handle;
  }

  /** Receive `username`'s notifications from now on. Counted: each needs its own unsubscribe(). */
  subscribe(username: string): void {
    this.#check(addon().subscriberSubscribe(this.#open(), checkString('username', username)));
  }

  /** Undo one subscribe(); after the last one, `username`'s notifications stop. */
  unsubscribe(username: string): void {
    this.#check(addon().subscriberUnsubscribe(this.#open(), checkString('username', username)));
  }

  /** The next notification waiting, or null when none waits (or while held). Never waits. */
  next(): Notification | null {
    const native = addon();
    const result = native.subscriberNext(this.#open());
    this.#held = typeof result === 'number' && HELD_ERRORS.has(addon().errorName(result) ?? '') ? errorFor(result) : undefined;
    if (result === native.ERR_NOT_AVAILABLE || this.#held !== undefined) return null;
    if (typeof result === 'number') throw errorFor(result);
    return notificationOf(result);
  }

  /**
   * Why the subscriber is not connected yet, as of the last next(): its ipc directory does not
   * exist (MAPISTORE_ERR_NO_DIRECTORY) or could be another user's (MAPISTORE_ERR_DENIED).
   * undefined once connected. Each next() looks again.
   */
  get held(): MapistoreError | undefined {
    return this.#held;
  }

  /**
   * Resolves when notifications may have arrived (or at close()). Edge-triggered: call it only
   * once next() has returned null, then call next() until null again; a wake-up with nothing to
   * read is normal. While it is pending, the process stays alive.
   */
  readable(): Promise<void> {
    const handle = this.#open();
    if (this.#held !== undefined) {
      // The descriptor stays silent until the socket connects: look again after a while.
      return new Promise((resolve) => {
        const timer = setTimeout(() => this.#woken(), HELD_RECHECK_MS);
        const previous = this.#wake;
        this.#wake = () => {
          clearTimeout(timer);
          previous?.();
          resolve();
        };
      });
    }
    return new Promise((resolve) => {
      const previous = this.#wake;
      this.#wake = () => {
        previous?.();
        resolve();
      };
      this.#check(addon().subscriberWait(handle));
    });
  }

  /** Every notification, as it comes, until close(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Notification, void, undefined> {
    while (this.#handle) {
      const notification = this.next();
      if (notification) yield notification;
      else await this.readable();
    }
  }

  /** The file descriptor the subscriber polls (edge-triggered); for inspection, not for reading. */
  get fd(): number {
    const result = addon().subscriberFd(this.#open());
    if (typeof result === 'number') throw errorFor(result);
    return result.fd;
  }

  stats(): SubscriberStats {
    const native = addon().subscriberStats(this.#open());
    if (typeof native === 'number') throw errorFor(native);
    return {
      delivered: Number(native.delivered),
      malformed: Number(native.malformed),
      dropped: Number(native.dropped),
      ...(native.lastMalformed === null ? {} : { lastMalformed: native.lastMalformed }),
    };
  }

  /** Closes at once (queued notifications are discarded); ends a pending readable() and iteration. */
  close(): void {
    if (!this.#handle) return;
    addon().subscriberClose(this.#handle);
    this.#handle = undefined;
    this.#woken();
  }

  get closed(): boolean {
    return this.#handle === undefined;
  }

  #woken(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #open(): NativeSubscriber {
    if (!this.#handle) throw new Error('mapistore-mgmt: the subscriber is closed');
    return this.#handle;
  }

  #check(code: number): void {
    if (code !== addon().SUCCESS) throw errorFor(code);
  }
}
