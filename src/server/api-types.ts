// SPDX-License-Identifier: GPL-3.0-or-later
// JSON shapes of the notifier's HTTP API, shared by the server, the CLI and the tests. Where an
// answer is a row of the table, its schema is the table's (also the route's response schema).
import Type, { type Static } from 'typebox';
import { SourceRow, UserRow, type ChangeEvent as TableChange } from '../table/types.js';
import type { Notification } from '../protocol/notification.js';

/** One registered triple: the sum of the counts every live source holds for it. */
export const UserEntry = UserRow;
export type UserEntry = UserRow;

/** Answer of GET /v1/users: one page, and the cursor of the next (null on the last page). */
export interface UsersPage {
  users: UserEntry[];
  next: string | null;
}

/** Answer of GET /v1/registered-users: distinct usernames with a count above 0. */
export interface RegisteredUsers {
  backend: string;
  vuser: string;
  usernames: string[];
}

/** One sender process as the notifier sees it: the table's row, its times as ISO text. */
export const SourceView = Type.Object({ ...SourceRow.properties, lastHeardAt: Type.String(), expiresAt: Type.String() });
export type SourceView = Static<typeof SourceView>;

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
