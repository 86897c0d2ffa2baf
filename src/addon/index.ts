// SPDX-License-Identifier: GPL-3.0-or-later
// The public API over the C library: validation, conversion, and return codes as results or
// errors. docs/node-api.md describes it.
import { addon, errorFor } from './native-addon.js';
import { checkBoolean, checkGuid, checkInteger, checkPositiveU32, checkRecord, checkString, checkU16 } from './validate.js';

export { MapistoreError } from './errors.js';
export { Subscriber } from './subscriber.js';
export type { Notification, SubscriberStats } from './subscriber.js';

/** The fields of OpenChange's struct mapistore_connection_info the library reads. */
export interface ConnectionInfo {
  /** The authenticated user: the `username` of the registration. */
  username: string;
  /** The replica GUID as 8-4-4-4-12 hex digits; all zeros when absent. */
  replicaGuid?: string;
  /** The replica id, 0..65535; 0 when absent. */
  replId?: number;
}

/** mapistore_mgmt_configure(): an absent key keeps its environment or built-in default. */
export interface ConfigureOptions {
  /** "ipc://..." or "tcp://host:port". */
  endpoint?: string;
  heartbeatMs?: number;
  queueLimit?: number;
  lingerMs?: number;
  /** Distinct triples held at most (default 10,000, the notifier's default limit). */
  maxTriples?: number;
  /** Send the messages queued together as one frame (default true); false for a notifier older than 1.1. */
  batching?: boolean;
}

/** This process's counters (mapistore_mgmt_get_stats()). */
export interface MapistoreStats {
  messagesSent: number;
  messagesDropped: number;
  heartbeatsSent: number;
  registrationsHeld: number;
  triplesHeld: number;
  queueLength: number;
  /** The source's random 64-bit epoch (0n before its first message): a BigInt, it needs all 64 bits. */
  epoch: bigint;
  pid: number;
  /** The last non-success return code (or 12, MAPISTORE_ERR_CONTEXT_FAILED, from the library's thread), or 0. */
  lastError: number;
  /** Times ZeroMQ could not be opened for lack of file descriptors (the library retries). */
  descriptorShortages: number;
  /** Times the host had closed the library's ZeroMQ descriptors (the context was replaced). */
  contextsLost: number;
  /** Registers refused because the process held maxTriples distinct triples (MAPISTORE_MGMT_ERR_LIMIT). */
  triplesRefused: number;
  /** Why messages are held rather than sent, or 0: 7 (MAPISTORE_ERR_NO_DIRECTORY) while the ipc
   * socket's directory does not exist, 21 (MAPISTORE_ERR_DENIED) when it could be another user's
   * or the CURVE secret key's file is open to others, 6, 15 or 18 for unusable CURVE key files. */
  endpointError: number;
  /** Connections to the notifier completed; a reconnection (or a first connection after drops)
   * is followed at once by a heartbeat of the whole set. */
  connections: number;
}

const CONNECTION_INFO_KEYS = ['username', 'replicaGuid', 'replId'] as const;
const CONFIGURE_KEYS = ['endpoint', 'heartbeatMs', 'queueLimit', 'lingerMs', 'maxTriples', 'batching'] as const;
const NIL_GUID = new Uint8Array(16);

function userCall(call: 'registerUser' | 'unregisterUser', connInfo: ConnectionInfo, backend: string, vuser: string): boolean {
  const info = checkRecord('connInfo', connInfo, CONNECTION_INFO_KEYS);
  const username = checkString('connInfo.username', info.username);
  const replicaGuid = info.replicaGuid === undefined ? NIL_GUID : checkGuid('connInfo.replicaGuid', info.replicaGuid);
  const replId = info.replId === undefined ? 0 : checkU16('connInfo.replId', info.replId);
  checkString('backend', backend);
  checkString('vuser', vuser);
  const native = addon();
  const code = native[call](username, backend, vuser, replicaGuid, replId);
  if (code === native.SUCCESS) return true;
  if (code === native.ERR_MSG_SEND) return false;
  throw errorFor(code);
}

/**
 * Record that `connInfo.username` holds one more context of `backend` as `vuser`, and tell the
 * notifier. Returns true when the message is queued, false when the send queue was full: the
 * registration is recorded all the same and reaches the notifier with the next heartbeat (like
 * stream.write(), false is back-pressure, not failure). Throws a TypeError for arguments of the
 * wrong type and a MapistoreError when the library refuses (nothing recorded), for instance
 * MAPISTORE_MGMT_ERR_LIMIT for a new triple beyond the 10,000 distinct ones a process may hold.
 */
export function registerUser(connInfo: ConnectionInfo, backend: string, vuser: string): boolean {
  return userCall('registerUser', connInfo, backend, vuser);
}

/** Record that `connInfo.username` released one context of `backend` as `vuser`: as registerUser(). */
export function unregisterUser(connInfo: ConnectionInfo, backend: string, vuser: string): boolean {
  return userCall('unregisterUser', connInfo, backend, vuser);
}

/** Configure the library; throws a MapistoreError (nothing changed) for a value it refuses. */
export function configure(options: ConfigureOptions): void {
  const record = checkRecord('options', options, CONFIGURE_KEYS);
  const endpoint = record.endpoint === undefined ? null : checkString('options.endpoint', record.endpoint);
  const count = (key: 'heartbeatMs' | 'queueLimit' | 'lingerMs' | 'maxTriples'): number =>
    record[key] === undefined ? 0 : checkPositiveU32(`options.${key}`, record[key]);
  const native = addon();
  const batching = record.batching === undefined ? 0 : checkBoolean('options.batching', record.batching) ? native.BATCHING_ON : native.BATCHING_OFF;
  const code = native.configure(endpoint, count('heartbeatMs'), count('queueLimit'), count('lingerMs'), count('maxTriples'), batching);
  if (code !== native.SUCCESS) throw errorFor(code);
}

/** Say goodbye, stop the background thread and forget held registrations (at most lingerMs). */
export function shutdown(): void {
  const native = addon();
  const code = native.shutdown();
  if (code !== native.SUCCESS) throw errorFor(code);
}

/** This process's counters. Counts are numbers (exact up to 2^53), the epoch a BigInt. */
export function stats(): MapistoreStats {
  const native = addon().stats();
  if (typeof native === 'number') throw errorFor(native);
  return {
    messagesSent: Number(native.messagesSent),
    messagesDropped: Number(native.messagesDropped),
    heartbeatsSent: Number(native.heartbeatsSent),
    registrationsHeld: Number(native.registrationsHeld),
    triplesHeld: Number(native.triplesHeld),
    queueLength: Number(native.queueLength),
    epoch: native.epoch,
    pid: native.pid,
    lastError: native.lastError,
    descriptorShortages: Number(native.descriptorShortages),
    contextsLost: Number(native.contextsLost),
    triplesRefused: Number(native.triplesRefused),
    endpointError: native.endpointError,
    connections: Number(native.connections),
  };
}

/** The name of a return code ('MAPISTORE_ERR_MSG_SEND'), or undefined for an unknown one. */
export function errorName(code: number): string | undefined {
  return addon().errorName(checkInteger('code', code, -0x80000000, 0x7fffffff)) ?? undefined;
}

/** The C library's version, "1.1.0". */
export function version(): string {
  return addon().version();
}
