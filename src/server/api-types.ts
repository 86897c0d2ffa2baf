// SPDX-License-Identifier: GPL-3.0-or-later
// JSON shapes of the notifier's HTTP API, shared by the server, the CLI and the tests, and the
// response schemas of the rows a listing answers with (fastify serialises with them). Plain
// objects, not a schema library's: one would load on every start only to build these two.
import type { SourceRow, UserRow, ChangeEvent as TableChange } from '../table/types.js';
import type { Notification } from '../protocol/notification.js';

/** The JSON schema of one field of a row: a string, a number (`integer` where it always is one) or a boolean. */
type FieldSchema<V> = [V] extends [string] ? { type: 'string' } : [V] extends [number] ? { type: 'integer' | 'number' } : [V] extends [boolean] ? { type: 'boolean' } : never;

/** The JSON schema of a row whose every field is required; the type makes it name each field of `Row` with its JSON type, and no other. */
function rowSchema<Row>(properties: { [K in keyof Row]-?: FieldSchema<Row[K]> }) {
  return { type: 'object', required: Object.keys(properties), properties } as const;
}

/** One registered triple: the sum of the counts every live source holds for it. */
export type UserEntry = UserRow;
export const UserEntrySchema = rowSchema<UserEntry>({ backend: { type: 'string' }, username: { type: 'string' }, vuser: { type: 'string' }, count: { type: 'integer' } });

/** Answer of GET /v1/users: one page, and the cursor of the next (null on the last page). */
export interface UsersPage {
  users: UserEntry[];
  next: string | null;
}

/** Answer of GET /v1/registered-users: one page of the distinct usernames with a count above 0, and the cursor of the next (null on the last page). */
export interface RegisteredUsers {
  backend: string;
  vuser: string;
  usernames: string[];
  next: string | null;
}

/** One sender process as the notifier sees it: the table's row, its times as ISO text. */
export type SourceView = Omit<SourceRow, 'lastHeardAt' | 'expiresAt'> & { lastHeardAt: string; expiresAt: string };
export const SourceViewSchema = rowSchema<SourceView>({
  key: { type: 'string' },
  host: { type: 'string' },
  pid: { type: 'integer' },
  epoch: { type: 'string' },
  triples: { type: 'integer' },
  registrations: { type: 'integer' },
  lastSeq: { type: 'string' },
  intervalMs: { type: 'integer' },
  leaseMs: { type: 'integer' },
  lastHeardAt: { type: 'string' },
  expiresAt: { type: 'string' },
  droppedReported: { type: 'string' },
  gaps: { type: 'string' },
  restored: { type: 'boolean' },
});

/** Answer of GET /v1/sources: one page, and the cursor of the next (null on the last page). */
export interface SourcesPage {
  sources: SourceView[];
  next: string | null;
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
export type NewmailStreamEvent = Notification & { kind: 'newmail'; time: string };
