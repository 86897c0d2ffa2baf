// SPDX-License-Identifier: GPL-3.0-or-later
import { sourceKey, type Message, type Seq, type SnapshotEntry } from '../protocol/types.js';
import { expiresAt } from './empty-lease.js';
import { leaseFor } from './lease.js';
import { PidCounts } from './pid-counts.js';
import { SequenceCheck } from './sequence-bound.js';
import { missedBetween } from './sequence-numbers.js';
import { Sources } from './sources.js';
import { persistSourceJson } from './state.js';
import type { PersistedRegistration, PersistedSource, PersistedTable, PersistedTableHeader } from './state-schema.js';
import {
  type ApplyResult,
  type ChangeEvent,
  type ChangeListener,
  type LeaseOptions,
  type Page,
  type SequenceBound,
  type SourceRow,
  type TableLimits,
  type TableOptions,
  type TableRejectReason,
  type UserFilter,
  type UserRow,
} from './types.js';
import { Holdings } from './holdings.js';
import { StringPool } from './string-pool.js';
import { Triples } from './triples.js';
import { UserIndex } from './user-index.js';

const DEFAULT_RESTORE_GRACE_MS = 1000;

/**
 * The registration table: the union of the live sources' registrations (docs/protocol.md,
 * "How the table applies messages"). Pure and synchronous; time comes from
 * `now()`. Every operation either applies whole or changes nothing.
 *
 * Compact (docs/architecture.md, "The table is compact"): strings are numbered bytes
 * (`strings`), triples numbered once (`triples`), sources and what each holds are records
 * (`sourceRecords`, `holdings`), and the indexes link triple numbers, so a held registration
 * costs typed-array fields rather than objects.
 */
export class RegistrationTable {
  /** The live sources, by number (which their holdings name) and by key. */
  private readonly sourceRecords = new Sources();
  /** Keeps up to 1024 strings released lately, for the register that names them again. */
  private readonly strings = new StringPool(1024);
  private readonly triples = new Triples(this.strings);
  private readonly holdings = new Holdings(this.strings);
  private readonly index = new UserIndex(this.triples);
  /** Each listener, and whether it wants events now. */
  private readonly listeners = new Map<ChangeListener, () => boolean>();
  /** Change events of the operation in progress, delivered once the table is consistent. */
  private pending: ChangeEvent[] = [];
  private registrationTotal = 0;
  /** Distinct (source, triple) pairs held: what `limits.maxRegistrations` bounds. */
  private heldTotal = 0;
  private readonly limits: Required<Omit<TableLimits, 'sequenceBound'>>;
  private readonly sequenceCheck: SequenceCheck | undefined;
  private readonly lease: Required<LeaseOptions>;
  /** Live sources by claimed pid; kept only under a finite maxSourcesPerPid. */
  private readonly pids: PidCounts | undefined;
  private readonly now: () => number;
  private readonly admitsPid: ((pid: number) => boolean) | undefined;
  /**
   * No live source expires before this (a lower bound, exact after a walk of expire()): lowered
   * wherever a deadline can move earlier, so a tick that can expire no one costs no walk.
   */
  private earliestExpiry = Number.POSITIVE_INFINITY;

  constructor(options: TableOptions) {
    const { sequenceBound, ...limits } = options.limits;
    this.limits = { maxRegistrations: Number.POSITIVE_INFINITY, maxSourcesPerPid: Number.POSITIVE_INFINITY, ...limits };
    this.sequenceCheck = sequenceBound === undefined ? undefined : new SequenceCheck(sequenceBound);
    this.lease = { restoreGraceMs: DEFAULT_RESTORE_GRACE_MS, emptyLeaseMs: Number.POSITIVE_INFINITY, ...options.lease };
    this.now = options.now ?? Date.now;
    this.admitsPid = options.admitsPid;
    checkOptions(this.limits, this.lease, sequenceBound);
    this.pids = this.limits.maxSourcesPerPid === Number.POSITIVE_INFINITY ? undefined : new PidCounts();
  }

  /**
   * Applies one decoded message. `key` is its source's key, when the caller has it already
   * (the decoder builds it once per frame, not per message).
   */
  apply(message: Message, key = sourceKey(message.source)): ApplyResult {
    if (this.admitsPid?.(message.source.pid) === false) return this.reject('unadmitted-pid', key);
    const { sourceRecords: records } = this;
    const source = records.find(key);
    if (source >= 0) {
      const missed = missedBetween(records.lastSeq(source), message.seq);
      if (missed < 0) return this.reject('stale-sequence', key);
      if (this.sequenceCheck?.allows(missed, records.lastHeardAt(source), this.now) === false) return this.reject('implausible-sequence', key);
    }
    if (source < 0) {
      if (message.kind === 'goodbye') {
        return { outcome: 'ignored', reason: 'unknown-source', source: key, newSource: false, gap: 0n, droppedGrowth: 0n, repairs: 0 };
      }
      if (records.size >= this.limits.maxSources) return this.reject('too-many-sources', key);
      if ((this.pids?.get(message.source.pid) ?? 0) >= this.limits.maxSourcesPerPid) return this.reject('too-many-sources-for-pid', key);
    }
    const heldSize = source < 0 ? 0 : this.holdings.size(source);
    const max = this.limits.maxRegistrationsPerSource;

    switch (message.kind) {
      case 'register': {
        const { backend, username, vuser, replicaGuid, replId } = message.command;
        // Numbered for this message (and let go after it unless a source now holds it).
        const triple = this.triples.retain(backend, username, vuser);
        try {
          const holding = this.holdingOf(source, triple);
          if (holding < 0) {
            if (heldSize >= max) return this.refuseOverLimit('too-many-registrations', key, source, message);
            if (this.heldTotal >= this.limits.maxRegistrations) return this.refuseOverLimit('table-full', key, source, message);
          }
          const { target, accepted } = this.accept(key, source, message);
          this.holdings.setReplica(this.adjust(target, triple, 1, holding), replicaGuid, replId);
          return this.finish(applied(accepted));
        } finally {
          this.triples.release(triple);
        }
      }
      case 'unregister': {
        const { backend, username, vuser } = message.command;
        const triple = this.triples.find(backend, username, vuser);
        const { target, accepted } = this.accept(key, source, message);
        const holding = this.holdingOf(target, triple);
        if (holding < 0) {
          return this.finish(ignored('unmatched-unregister', accepted));
        }
        this.adjust(target, triple, -1, holding);
        return this.finish(applied(accepted));
      }
      case 'heartbeat': {
        const { snapshot, pinned, inOrder } = this.snapshotOf(source, message.entries);
        try {
          if (snapshot.size > max) return this.refuseOverLimit('too-many-registrations', key, source, message);
          if (this.heldTotal - heldSize + snapshot.size > this.limits.maxRegistrations) {
            return this.refuseOverLimit('table-full', key, source, message);
          }
          const { target, accepted } = this.accept(key, source, message);
          accepted.repairs = this.replaceSet(target, snapshot, inOrder);
          return this.finish(applied(accepted));
        } finally {
          for (const triple of pinned) this.triples.release(triple);
        }
      }
      case 'goodbye': {
        const { target, accepted } = this.accept(key, source, message);
        this.remove(target);
        return this.finish(applied(accepted));
      }
    }
  }

  /**
   * Removes and returns (as they were) the sources whose lease ran out at or before `cutoff`
   * (default `now()`; the notifier passes an earlier time while frames may still wait unread).
   */
  expire(cutoff = this.now()): SourceRow[] {
    if (cutoff < this.earliestExpiry) return [];
    const expired: SourceRow[] = [];
    const records = this.sourceRecords;
    let earliest = Number.POSITIVE_INFINITY;
    // A plain loop, not numbers(): a walk visits every source.
    for (let source = 0; source < records.span; source++) {
      if (!records.has(source)) continue;
      const deadline = this.expiresAt(source);
      if (deadline <= cutoff) {
        expired.push(this.row(source));
        this.remove(source);
      } else if (deadline < earliest) {
        earliest = deadline;
      }
    }
    // After the loop: removing a source above may have lowered the bound to its own deadline.
    this.earliestExpiry = earliest;
    this.flush();
    return expired;
  }

  /** No live source expires before this time (Infinity when there is none to expire). */
  get nextExpiryAt(): number {
    return this.earliestExpiry;
  }

  /** Removes a source and its registrations (an operator's "this process is gone"). */
  purge(key: string): boolean {
    const source = this.sourceRecords.find(key);
    if (source < 0) return false;
    this.remove(source);
    this.flush();
    return true;
  }

  /** Triples with a total count > 0, sorted by backend, username, vuser. */
  users(filter?: UserFilter): UserRow[] {
    return this.index.rows(filter);
  }

  /**
   * A page of `users(filter)`: up to `limit` rows after the triple key `after` (a page's
   * `next`), reading from an ordered index rather than sorting. A filter on vuser alone
   * examines at most `scanBudget` triples, so its page can be short while more follow.
   */
  usersPage(filter: UserFilter, after: string | undefined, limit: number, scanBudget?: number): Page<UserRow> {
    return this.index.page(filter, after, limit, scanBudget);
  }

  /** Distinct usernames holding (backend, vuser) with a count > 0, sorted. */
  registeredUsers(backend: string, vuser: string): string[] {
    return this.index.usernames(backend, vuser);
  }

  /** Every live source, sorted by key. */
  sources(): SourceRow[] {
    return this.sourcesPage(undefined, Number.POSITIVE_INFINITY).rows;
  }

  /** Up to `limit` sources after the key `after` (a page's `next`), sorted by key. */
  sourcesPage(after: string | undefined, limit: number): Page<SourceRow> {
    const rows: SourceRow[] = [];
    for (const source of this.sourceRecords.after(after)) {
      if (rows.length === limit) return { rows, next: rows[rows.length - 1]?.key };
      rows.push(this.row(source));
    }
    return { rows, next: undefined };
  }

  /** What one source holds (its last snapshot plus the messages since), or undefined. */
  sourceRegistrations(key: string): SnapshotEntry[] | undefined {
    const source = this.sourceRecords.find(key);
    if (source < 0) return undefined;
    const entries: SnapshotEntry[] = [];
    for (let holding = this.holdings.first(source); holding >= 0; holding = this.holdings.next(holding)) {
      const { backend, username, vuser } = this.triples.fields(this.holdings.triple(holding));
      const { replicaGuid, replId } = this.holdings.replica(holding);
      // A literal: a spread followed by more fields costs V8 a hidden class per object.
      entries.push({ backend, username, vuser, replicaGuid, replId, count: this.holdings.count(holding) });
    }
    return entries;
  }

  get sourceCount(): number {
    return this.sourceRecords.size;
  }

  /** Sum of all counts over all sources. */
  get registrationCount(): number {
    return this.registrationTotal;
  }

  /** Distinct triples held, summed over all sources (what `limits.maxRegistrations` bounds). */
  get heldCount(): number {
    return this.heldTotal;
  }

  /** Live sources that hold nothing (they take the short lease, `lease.emptyLeaseMs`). */
  get emptySourceCount(): number {
    let empty = 0;
    const records = this.sourceRecords;
    for (let source = 0; source < records.span; source++) if (records.has(source) && this.holdings.size(source) === 0) empty++;
    return empty;
  }

  /** Distinct triples with a total count > 0. */
  get userCount(): number {
    return this.index.size;
  }

  /**
   * Calls `listener` after each operation, once per triple whose total crossed 0. Listeners
   * run synchronously once the table is consistent, and must not throw. Returns an unsubscribe.
   * With `wanted`, the listener is called only while `wanted()` says so, and no event is built
   * while no listener wants one (under ingest nearly every message may be a change).
   */
  onChange(listener: ChangeListener, wanted: () => boolean = () => true): () => void {
    this.listeners.set(listener, wanted);
    return () => this.listeners.delete(listener);
  }

  /** The table as a plain JSON-able object; `fromState` reads it back. */
  toState(): PersistedTable {
    return { ...this.stateHeader(), sources: [...this.savedSources()] };
  }

  /** `toState()` without its sources. */
  stateHeader(): PersistedTableHeader {
    return { format: 'mapistore-mgmt-table', version: 1, savedAt: this.now() };
  }

  /** `toState().sources`, one at a time. */
  *savedSources(): Generator<PersistedSource> {
    for (const source of this.sourceRecords.numbers()) yield Object.assign(this.sourceRecords.saved(source), { registrations: this.savedRegistrations(source) });
  }

  /**
   * `toState().sources` as JSON texts, each in pieces: a source is copied when its first piece
   * is asked for, so a caller may let the table change between any two steps (a save that
   * yields) and still write each source as it was at one moment.
   */
  *savedSourcesJson(): Generator<Generator<string>> {
    for (const source of this.sourceRecords.numbers()) yield this.savedSourceJson(source);
  }

  /**
   * Rebuilds a table from `toState()`'s output, checked (state-schema.ts: what comes from a file
   * is checked where it is read, so that the checks load only when there is a file). Throws a
   * descriptive Error when the state does not fit the limits or names a source or triple twice.
   * Restored sources keep their leases, and must also be heard within one interval (+
   * `restoreGraceMs`) from now or they expire, so the registrations of processes that died
   * meanwhile go away within about one interval.
   */
  static fromState(state: PersistedTable, options: TableOptions): RegistrationTable {
    const table = new RegistrationTable(options);
    for (const saved of state.sources) table.restoreSaved(saved);
    return table;
  }

  /**
   * Adds one saved source (an element of `toState().sources`, checked) to a table being
   * restored, as `fromState` does; for a state read one source at a time. Throws like `fromState`.
   */
  restoreSaved(saved: PersistedSource): void {
    const records = this.sourceRecords;
    if (records.size >= this.limits.maxSources) {
      throw new Error(`state holds more sources than the limit of ${this.limits.maxSources}`);
    }
    const restoredAt = this.now();
    const key = sourceKey({ host: saved.host, pid: saved.pid, epoch: saved.epoch });
    if (records.find(key) >= 0) throw new Error(`state names source ${key} twice`);
    if (saved.registrations.length > this.limits.maxRegistrationsPerSource) {
      throw new Error(`state source ${key} holds more triples than the limit of ${this.limits.maxRegistrationsPerSource}`);
    }
    const source = this.addSource(key, BigInt(saved.lastSeq), saved.lastHeardAt);
    records.setAnnouncedIntervalMs(source, saved.announcedIntervalMs);
    records.setDroppedReported(source, BigInt(saved.droppedReported));
    records.setGaps(source, BigInt(saved.gaps));
    records.setRestored(source, true);
    const intervalMs = this.intervalOf(source);
    // The saved deadline is never extended, however often the notifier restarts.
    let deadline = Math.min(saved.expiresAt, restoredAt + intervalMs + this.lease.restoreGraceMs);
    // Empty, it takes its short lease from now (its sender's calls may wait for the restart).
    if (saved.registrations.length === 0) deadline = Math.min(deadline, restoredAt + this.lease.emptyLeaseMs);
    records.setExpiresAt(source, deadline);
    this.lowerEarliestExpiry(deadline);
    for (const [backend, username, vuser, replicaGuid, replId, count] of saved.registrations) {
      const triple = this.triples.retain(backend, username, vuser);
      try {
        if (this.holdingOf(source, triple) >= 0) throw new Error(`state source ${key} names a triple twice`);
        this.holdings.setReplica(this.adjust(source, triple, count), replicaGuid, replId);
      } finally {
        this.triples.release(triple);
      }
    }
    if (this.heldTotal > this.limits.maxRegistrations) {
      throw new Error(`state holds more registrations than the limit of ${this.limits.maxRegistrations}`);
    }
  }

  /** Takes a message in: creates its source if new, tracks the sequence and renews the lease. */
  private accept(key: string, existing: number, message: Message): { target: number; accepted: AcceptedFields } {
    const records = this.sourceRecords;
    const now = this.now();
    let gap = 0n;
    let droppedGrowth = 0n;
    const source = existing >= 0 ? existing : this.addSource(key, message.seq, now);
    if (existing >= 0) gap = records.heard(source, message.seq, now);
    if (message.kind === 'heartbeat') {
      records.setAnnouncedIntervalMs(source, message.intervalMs);
      const dropped = records.droppedReportedOf(source);
      if (message.dropped > dropped) {
        droppedGrowth = message.dropped - dropped;
        records.setDroppedReported(source, message.dropped);
      }
      records.setRestored(source, false);
    }
    // Any message proves the process alive; the lease runs from the last one heard.
    records.setExpiresAt(source, now + leaseFor(this.intervalOf(source), this.lease));
    this.lowerEarliestExpiry(this.expiresAt(source));
    return { target: source, accepted: { source: key, newSource: existing < 0, gap, droppedGrowth, repairs: 0 } };
  }

  /**
   * A heartbeat's entries by triple number (a later entry for the same triple wins). A heartbeat
   * usually repeats its source's set in the order the table keeps it (replaceSet keeps the
   * order of the last snapshot), so each entry is first compared with the source's next
   * holding and looked up only when it differs (`inOrder` false); a triple found that way is
   * `pinned` (numbered, if new, until the message is applied). One the source holds needs no
   * pin: applying the snapshot never lets go of a triple it names.
   */
  private snapshotOf(source: number, entries: SnapshotEntry[]): { snapshot: Map<number, SnapshotEntry>; pinned: number[]; inOrder: boolean } {
    const snapshot = new Map<number, SnapshotEntry>();
    const pinned: number[] = [];
    let inOrder = true;
    let next = source < 0 ? -1 : this.holdings.first(source);
    for (const entry of entries) {
      const { backend, username, vuser } = entry;
      let triple = next < 0 ? -1 : this.holdings.triple(next);
      if (triple >= 0 && this.triples.is(triple, backend, username, vuser)) {
        next = this.holdings.next(next);
      } else {
        triple = this.triples.retain(backend, username, vuser);
        pinned.push(triple);
        inOrder = false;
        // Compare the next entries from here on: the source's order may just start elsewhere.
        const holding = this.holdingOf(source, triple);
        if (holding >= 0) next = this.holdings.next(holding);
      }
      snapshot.set(triple, entry);
    }
    return { snapshot, pinned, inOrder };
  }

  /**
   * Replaces a source's set with a snapshot; returns the number of triples that differed. The
   * set takes the snapshot's order unless it has it already (`inOrder`), so that the next
   * heartbeat, which a sender sends in the same order, is matched without lookups.
   */
  private replaceSet(source: number, snapshot: Map<number, SnapshotEntry>, inOrder: boolean): number {
    let repairs = 0;
    for (let holding = this.holdings.first(source); holding >= 0; ) {
      const next = this.holdings.next(holding);
      const triple = this.holdings.triple(holding);
      if (!snapshot.has(triple)) {
        repairs++;
        this.adjust(source, triple, -this.holdings.count(holding), holding);
      }
      holding = next;
    }
    for (const [triple, entry] of snapshot) {
      let holding = this.holdings.find(source, triple);
      const before = holding < 0 ? 0 : this.holdings.count(holding);
      if (before !== entry.count) {
        repairs++;
        holding = this.adjust(source, triple, entry.count - before, holding);
      }
      // A new holding was added at the end already, where the snapshot's order wants it.
      if (!inOrder && before > 0) this.holdings.moveToEnd(holding);
      this.holdings.setReplica(holding, entry.replicaGuid, entry.replId);
    }
    return repairs;
  }

  /** The source's holding of `triple` (-1 when either is unknown or it holds none). */
  private holdingOf(source: number, triple: number): number {
    return source < 0 || triple < 0 ? -1 : this.holdings.find(source, triple);
  }

  /**
   * Changes one source's count of a triple by `delta`, keeping every aggregate in step.
   * `holding` is the source's holding of the triple when the caller has found it already.
   * Returns the holding (added if new), or -1 once the count fell to 0.
   */
  private adjust(source: number, triple: number, delta: number, holding = this.holdings.find(source, triple)): number {
    const before = holding < 0 ? 0 : this.holdings.count(holding);
    const after = before + delta;
    if (holding < 0) {
      holding = this.holdings.add(source, triple, after);
      this.triples.retainId(triple);
      this.heldTotal++;
    } else if (after === 0) {
      this.holdings.remove(holding);
      holding = -1;
      this.heldTotal--;
      // Empty, it takes the short lease (empty-lease.ts).
      if (this.holdings.size(source) === 0) this.lowerEarliestExpiry(this.expiresAt(source));
    } else {
      this.holdings.setCount(holding, after);
    }
    this.sourceRecords.addRegistrations(source, delta);
    this.registrationTotal += delta;
    const transition = this.index.add(triple, delta);
    if (transition !== undefined && this.eventsWanted()) {
      const { triples } = this;
      // A literal: spreading the triple's fields into the event costs a hidden-class copy per change.
      this.pending.push({ kind: transition, backend: triples.backend(triple), username: triples.username(triple), vuser: triples.vuser(triple), at: this.now() });
    }
    // Let go only now: the index and the event above still read the triple's strings.
    if (after === 0) this.triples.release(triple);
    return holding;
  }

  /** A new source; returns its number. */
  private addSource(key: string, lastSeq: Seq, lastHeardAt: number): number {
    const source = this.sourceRecords.add(key, lastSeq, lastHeardAt);
    this.holdings.open(source);
    this.pids?.add(this.sourceRecords.id(source).pid);
    return source;
  }

  private remove(source: number): void {
    for (let holding = this.holdings.first(source); holding >= 0; holding = this.holdings.first(source)) {
      this.adjust(source, this.holdings.triple(holding), -this.holdings.count(holding), holding);
    }
    this.pids?.delete(this.sourceRecords.id(source).pid);
    this.sourceRecords.remove(source);
  }

  /** The source's registrations in their saved form, in the order it took them. */
  private savedRegistrations(source: number): PersistedRegistration[] {
    const registrations: PersistedRegistration[] = [];
    for (let holding = this.holdings.first(source); holding >= 0; holding = this.holdings.next(holding)) {
      const { replicaGuid, replId } = this.holdings.replica(holding);
      const { backend, username, vuser } = this.triples.fields(this.holdings.triple(holding));
      registrations.push([backend, username, vuser, replicaGuid, replId, this.holdings.count(holding)]);
    }
    return registrations;
  }

  /** One source as JSON text in pieces, copied when the first piece is asked for. */
  private *savedSourceJson(source: number): Generator<string> {
    yield* persistSourceJson(this.sourceRecords.saved(source), this.savedRegistrations(source));
  }

  private intervalOf(source: number): number {
    return this.sourceRecords.announcedIntervalMs(source) ?? this.lease.defaultIntervalMs;
  }

  private lowerEarliestExpiry(deadline: number): void {
    if (deadline < this.earliestExpiry) this.earliestExpiry = deadline;
  }

  private expiresAt(source: number): number {
    return expiresAt(this.sourceRecords, source, this.holdings.size(source), this.lease.emptyLeaseMs);
  }

  /**
   * Refuses a message that would take its source past maxRegistrationsPerSource. It still
   * proves a known source alive: its sequence, interval and lease are taken in (its set stays
   * as it was), so a live process never expires because of a limit.
   */
  private refuseOverLimit(reason: 'too-many-registrations' | 'table-full', key: string, source: number, message: Message): ApplyResult {
    if (source < 0) return this.reject(reason, key);
    const { accepted } = this.accept(key, source, message);
    return { outcome: 'rejected', reason, source: key, renewed: accepted };
  }

  private reject(reason: TableRejectReason, source: string): ApplyResult {
    return { outcome: 'rejected', reason, source };
  }

  private finish(result: ApplyResult): ApplyResult {
    this.flush();
    return result;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    for (const event of events) for (const [listener, wanted] of this.listeners) if (wanted()) listener(event);
  }

  private eventsWanted(): boolean {
    for (const wanted of this.listeners.values()) if (wanted()) return true;
    return false;
  }

  private row(source: number): SourceRow {
    const records = this.sourceRecords;
    const intervalMs = this.intervalOf(source);
    const { host, pid, epoch } = records.id(source);
    return {
      key: records.key(source),
      host,
      pid,
      epoch,
      lastSeq: records.lastSeq(source).toString(),
      intervalMs,
      leaseMs: leaseFor(intervalMs, this.lease),
      lastHeardAt: records.lastHeardAt(source),
      expiresAt: this.expiresAt(source),
      registrations: records.registrations(source),
      triples: this.holdings.size(source),
      droppedReported: records.droppedReportedOf(source).toString(),
      gaps: records.gaps(source).toString(),
      restored: records.restored(source),
    };
  }
}

/**
 * The result of a message taken in. Literals rather than `{ outcome, ...accepted }`: V8 copies a
 * spread property by property through a generic path, a cost paid on every message.
 */
function applied(a: AcceptedFields): ApplyResult {
  return { outcome: 'applied', source: a.source, newSource: a.newSource, gap: a.gap, droppedGrowth: a.droppedGrowth, repairs: a.repairs };
}

function ignored(reason: 'unmatched-unregister', a: AcceptedFields): ApplyResult {
  return { outcome: 'ignored', reason, source: a.source, newSource: a.newSource, gap: a.gap, droppedGrowth: a.droppedGrowth, repairs: a.repairs };
}

interface AcceptedFields {
  source: string;
  newSource: boolean;
  gap: bigint;
  droppedGrowth: bigint;
  repairs: number;
}

function checkOptions(limits: Required<Omit<TableLimits, 'sequenceBound'>>, lease: Required<LeaseOptions>, sequenceBound: SequenceBound | undefined): void {
  const counts: [string, number][] = [
    ['limits.maxSources', limits.maxSources],
    ['limits.maxRegistrationsPerSource', limits.maxRegistrationsPerSource],
  ];
  if (limits.maxRegistrations !== Number.POSITIVE_INFINITY) counts.push(['limits.maxRegistrations', limits.maxRegistrations]);
  if (limits.maxSourcesPerPid !== Number.POSITIVE_INFINITY) counts.push(['limits.maxSourcesPerPid', limits.maxSourcesPerPid]);
  if (sequenceBound !== undefined) {
    counts.push(['limits.sequenceBound.slack', sequenceBound.slack], ['limits.sequenceBound.ratePerSecond', sequenceBound.ratePerSecond]);
  }
  for (const [name, value] of counts) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, not ${value}`);
  }
  const durations: [string, number][] = [
    ['lease.defaultIntervalMs', lease.defaultIntervalMs],
    ['lease.multiplier', lease.multiplier],
    ['lease.minLeaseMs', lease.minLeaseMs],
    ['lease.maxLeaseMs', lease.maxLeaseMs],
    ['lease.restoreGraceMs', lease.restoreGraceMs],
  ];
  if (lease.emptyLeaseMs !== Number.POSITIVE_INFINITY) durations.push(['lease.emptyLeaseMs', lease.emptyLeaseMs]);
  for (const [name, value] of durations) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not ${value}`);
  }
  if (lease.minLeaseMs > lease.maxLeaseMs) throw new Error('lease.minLeaseMs must not exceed lease.maxLeaseMs');
}
