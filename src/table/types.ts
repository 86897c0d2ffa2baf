export interface TableLimits {
  /** Live sources the table holds at most; a message that would add one more is rejected. */
  maxSources: number;
  /** Distinct triples one source may hold at most. */
  maxRegistrationsPerSource: number;
}

export interface LeaseOptions {
  /** The interval assumed for a source until its first heartbeat announces its own. */
  defaultIntervalMs: number;
  /** A source's lease is `multiplier` x its interval, clamped to [minLeaseMs, maxLeaseMs]. */
  multiplier: number;
  minLeaseMs: number;
  maxLeaseMs: number;
  /**
   * A source restored from a state file must be heard within its interval plus this grace
   * (from the restore time) or it expires. Default 1000 ms.
   */
  restoreGraceMs?: number;
}

export interface TableOptions {
  limits: TableLimits;
  lease: LeaseOptions;
  /** Milliseconds since the epoch; `Date.now` unless a test supplies a fake clock. */
  now?: () => number;
}

/** Why the table refuses a well-formed message. A rejected message changes nothing. */
export const TABLE_REJECT_REASONS = ['too-many-sources', 'too-many-registrations', 'stale-sequence'] as const;
export type TableRejectReason = (typeof TABLE_REJECT_REASONS)[number];

/** Why the table took a message in (sequence, lease) but had nothing to change for it. */
export const IGNORE_REASONS = ['unmatched-unregister', 'unknown-source'] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

/** What a taken-in message did, for the server's counters and logs. */
export interface Accepted {
  /** The source's key (`host/pid/epoch`). */
  source: string;
  /** True when this message made the table start tracking the source. */
  newSource: boolean;
  /** Messages missed just before this one (seq - last - 1), 0 when in order. */
  gap: bigint;
  /**
   * How much this heartbeat raised the sender's reported drop total (0 for other kinds). A
   * total lower than one already reported raises nothing: the highest is kept.
   */
  droppedGrowth: bigint;
  /** Triples whose count a heartbeat's snapshot corrected (0 for other kinds). */
  repairs: number;
}

export type ApplyResult =
  | ({ outcome: 'applied' } & Accepted)
  | ({ outcome: 'ignored'; reason: IgnoreReason } & Accepted)
  | { outcome: 'rejected'; reason: TableRejectReason; source: string };

/** One triple with a total count > 0 over all live sources. */
export interface UserRow {
  backend: string;
  username: string;
  vuser: string;
  count: number;
}

export interface UserFilter {
  backend?: string;
  username?: string;
  vuser?: string;
}

export interface SourceRow {
  key: string;
  host: string;
  pid: number;
  epoch: string;
  /** u64 as decimal text (JSON has no bigint). */
  lastSeq: string;
  /** The announced interval, or the configured default before the first heartbeat. */
  intervalMs: number;
  leaseMs: number;
  lastHeardAt: number;
  expiresAt: number;
  /** Sum of the counts the source holds. */
  registrations: number;
  /** Distinct triples the source holds. */
  triples: number;
  /** The highest running total of messages the sender reported it could not queue (decimal text). */
  droppedReported: string;
  /** Messages missed in transport, summed over this source's sequence gaps (decimal text). */
  gaps: string;
  /** Loaded from a state file and not yet confirmed by a heartbeat. */
  restored: boolean;
}

/** A triple's total count went 0 -> >0 (`registered`) or >0 -> 0 (`unregistered`). */
export interface ChangeEvent {
  kind: 'registered' | 'unregistered';
  backend: string;
  username: string;
  vuser: string;
  /** `now()` when the change happened. */
  at: number;
}

export type ChangeListener = (event: ChangeEvent) => void;
