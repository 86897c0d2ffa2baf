// JSON shapes of the notifier's HTTP API, shared by the server, the CLI and the tests.
import type { ChangeEvent as TableChange } from '../table/types.js';

/** One registered triple: the sum of the counts every live source holds for it. */
export interface UserEntry {
  backend: string;
  username: string;
  vuser: string;
  count: number;
}

/** Answer of GET /v1/registered-users: distinct usernames with a count above 0. */
export interface RegisteredUsers {
  backend: string;
  vuser: string;
  usernames: string[];
}

/** One sender process as the notifier sees it. */
export interface SourceView {
  /** The id `purge` takes: `host/pid/epoch`. */
  key: string;
  host: string;
  pid: number;
  /** 16 hex digits. */
  epoch: string;
  /** Distinct triples the source holds. */
  triples: number;
  /** Sum of its counts. */
  registrations: number;
  /** u64 as decimal text. */
  lastSeq: string;
  /** The interval its lease derives from (announced by heartbeat, else the default). */
  intervalMs: number;
  leaseMs: number;
  /** ISO times. */
  lastHeardAt: string;
  expiresAt: string;
  /** Messages the sender reported it could not queue (running total, decimal text). */
  droppedReported: string;
  /** Messages missed in transport from this source (exact, decimal text). */
  gaps: string;
  /** Loaded from the state file and not yet confirmed by a heartbeat. */
  restored: boolean;
}

export interface StatusCounters {
  /** Messages by kind (register, unregister, heartbeat, goodbye; invalid when undecodable) and result (applied, ignored, rejected). */
  messages: Record<string, Record<string, number>>;
  rejections: Record<string, number>;
  repairs: number;
  /** Exact, decimal text (a sum of u64 jumps). */
  gaps: string;
  expirations: number;
  unmatchedUnregisters: number;
  /** Exact, decimal text (a sum of u64 increases). */
  senderDrops: string;
}

export interface StatusSizes {
  /** Live sources. */
  sources: number;
  /** Registered triples: the entries of GET /v1/users. */
  users: number;
  /** Sum of all counts. */
  registrations: number;
}

export interface Status {
  version: string;
  uptimeSeconds: number;
  endpoint: string;
  ready: boolean;
  counters: StatusCounters;
  sizes: StatusSizes;
}

/** A change-stream event (GET /v1/events, SSE `event:` is the kind): the table's change, with its time as ISO text. */
export type ChangeEvent = Omit<TableChange, 'at'> & { time: string };

/** A new-mail notification on the change stream (`event: newmail`), one per notified username. */
export interface NewmailStreamEvent {
  kind: 'newmail';
  backend: string;
  username: string;
  vuser: string;
  folder: string;
  messageId: string;
  uidValidity: number;
  sender?: string;
  subject?: string;
  time: string;
}
