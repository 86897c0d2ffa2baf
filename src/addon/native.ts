// SPDX-License-Identifier: GPL-3.0-or-later
// What binding/addon.cc provides: the C library's calls over already-validated plain values.
// Internal: the public API (index.ts) validates, converts and turns codes into errors.

/** mapistore_mgmt_stats as the addon returns it: every u64 as a BigInt. */
export interface NativeStats {
  messagesSent: bigint;
  messagesDropped: bigint;
  heartbeatsSent: bigint;
  registrationsHeld: bigint;
  triplesHeld: bigint;
  queueLength: bigint;
  epoch: bigint;
  pid: number;
  lastError: number;
  descriptorShortages: bigint;
  contextsLost: bigint;
  triplesRefused: bigint;
  endpointError: number;
  connections: bigint;
}

/** register or unregister: (username, backend, vuser, 16-byte wire GUID, replId) -> code. */
export type NativeUserCall = (
  username: string,
  backend: string,
  vuser: string,
  replicaGuid: Uint8Array,
  replId: number,
) => number;

/** A subscriber handle: opaque to JavaScript, closed by subscriberClose() or by the GC. */
export type NativeSubscriber = { readonly __brand: 'NativeSubscriber' };

/** mapistore_mgmt_notification; sender and subject are '' when unknown. */
export interface NativeNotification {
  backend: string;
  username: string;
  vuser: string;
  folder: string;
  messageId: string;
  uidvalidity: number;
  sender: string;
  subject: string;
}

/** mapistore_mgmt_subscriber_stats, u64 fields as BigInt. */
export interface NativeSubscriberStats {
  delivered: bigint;
  malformed: bigint;
  dropped: bigint;
  lastMalformed: string | null;
}

export interface NativeAddon {
  registerUser: NativeUserCall;
  unregisterUser: NativeUserCall;
  /** 0 (or null for the endpoint) keeps the current value. Returns the C return code. */
  configure(endpoint: string | null, heartbeatMs: number, queueLimit: number, lingerMs: number, maxTriples: number, batching: number): number;
  shutdown(): number;
  /** The counters, or the C return code when the library refused. */
  stats(): NativeStats | number;
  errorName(code: number): string | null;
  errorText(code: number): string;
  version(): string;
  /** The handle, or the C return code. */
  subscriberNew(endpoint: string | null): NativeSubscriber | number;
  subscriberSubscribe(handle: NativeSubscriber, username: string): number;
  subscriberUnsubscribe(handle: NativeSubscriber, username: string): number;
  subscriberFd(handle: NativeSubscriber): { fd: number } | number;
  /** The next notification, or the C return code (ERR_NOT_AVAILABLE: none waits). */
  subscriberNext(handle: NativeSubscriber): NativeNotification | number;
  subscriberStats(handle: NativeSubscriber): NativeSubscriberStats | number;
  /** Starts the handle's watcher: `callback` runs at the descriptor's edge after each subscriberWait(). */
  subscriberWatch(handle: NativeSubscriber, callback: () => void): number;
  subscriberWait(handle: NativeSubscriber): number;
  subscriberClose(handle: NativeSubscriber): void;
  readonly BATCHING_ON: number;
  readonly BATCHING_OFF: number;
  readonly SUCCESS: number;
  readonly ERR_MSG_SEND: number;
  readonly ERR_NOT_AVAILABLE: number;
}
