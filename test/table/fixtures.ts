// SPDX-License-Identifier: GPL-3.0-or-later
/** Builders for table tests: a table on a fake clock, and messages from named sources. */
import type { Message, SnapshotEntry, SourceId, UserCommand } from '../../src/protocol/types.js';
import { RegistrationTable } from '../../src/table/table.js';
import type { ChangeEvent, TableOptions } from '../../src/table/types.js';

export const GUID = '00112233-4455-6677-8899-aabbccddeeff';

export function options(clock: { now: number }, overrides: Partial<TableOptions['limits']> = {}): TableOptions {
  return {
    limits: { maxSources: 100, maxRegistrationsPerSource: 100, ...overrides },
    lease: { defaultIntervalMs: 5000, multiplier: 3, minLeaseMs: 2000, maxLeaseMs: 60_000, restoreGraceMs: 1000 },
    now: () => clock.now,
  };
}

export function setup(overrides: Partial<TableOptions['limits']> = {}): {
  clock: { now: number };
  table: RegistrationTable;
  events: ChangeEvent[];
} {
  const clock = { now: 1_000_000 };
  const table = new RegistrationTable(options(clock, overrides));
  const events: ChangeEvent[] = [];
  table.onChange((event) => events.push(event));
  return { clock, table, events };
}

export function source(pid = 100, epoch = '00000000000000aa', host = 'mail'): SourceId {
  return { host, pid, epoch };
}

export function command(username: string, vuser = username, backend = 'SOGo', replId = 1): UserCommand {
  return { backend, username, vuser, replicaGuid: GUID, replId };
}

export function register(from: SourceId, seq: number, cmd: UserCommand): Message {
  return { kind: 'register', source: from, seq: BigInt(seq), command: cmd };
}

export function unregister(from: SourceId, seq: number, cmd: UserCommand): Message {
  return { kind: 'unregister', source: from, seq: BigInt(seq), command: cmd };
}

export function heartbeat(from: SourceId, seq: number, entries: SnapshotEntry[], intervalMs = 5000, dropped = 0n): Message {
  return { kind: 'heartbeat', source: from, seq: BigInt(seq), intervalMs, dropped, entries };
}

export function goodbye(from: SourceId, seq: number): Message {
  return { kind: 'goodbye', source: from, seq: BigInt(seq) };
}

export function entry(username: string, count: number, vuser = username): SnapshotEntry {
  return { ...command(username, vuser), count };
}

/** Everything observable about a table's contents, for "changed nothing" checks. */
export function snapshotOf(table: RegistrationTable): string {
  const { savedAt: _savedAt, ...state } = table.toState();
  return JSON.stringify([state, table.users(), table.sources(), table.sourceCount, table.registrationCount, table.userCount]);
}
