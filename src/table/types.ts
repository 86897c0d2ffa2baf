// SPDX-License-Identifier: GPL-3.0-or-later
export interface TableLimits {
  /** Live sources the table holds at most; a message that would add one more is rejected. */
  maxSources: number;
  /** Distinct triples one source may hold at most. */
  maxRegistrationsPerSource: number;
  /**
   * Distinct triples held, summed over all sources (the table's memory grows with this), at
   * most; a message that would hold more is rejected as `table-full`. Default: no limit.
   */
  maxRegistrations?: number;
  /** Live sources claiming one pid, at most (too-many-sources-for-pid). Default: no limit. */
  maxSourcesPerPid?: number;
  /** The largest sequence jump taken from a known source (implausible-sequence). Default: any. */
  sequenceBound?: SequenceBound;
}

/** A jump of a known source's sequence is taken when it misses at most `slack` messages plus
 * `ratePerSecond` for each second since the source was last heard (sequence-bound.ts). */
export interface SequenceBound {
  slack: number;
  ratePerSecond: number;
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
  /** A source that holds nothing expires this long after it was last heard, if its lease is
   * longer (empty-lease.ts). Default: its lease. */
  emptyLeaseMs?: number;
}

export interface TableOptions {
  limits: TableLimits;
  lease: LeaseOptions;
  /** Whether a message may claim this pid (the peers the transport admitted, --ipc-check-pids);
   * one it refuses is rejected as unadmitted-pid. Default: any pid. */
  admitsPid?: (pid: number) => boolean;
  /** Milliseconds since the epoch; `Date.now` unless a test supplies a fake clock. */
  now?: () => number;
}

/** Why the table refuses a well-formed message. A rejected message changes no registration;
 * one over a limit (per source, or the whole table's) from a known source still renews its
 * lease, so a live source never expires for it. */
export const TABLE_REJECT_REASONS = [
  'unadmitted-pid',
  'too-many-sources',
  'too-many-sources-for-pid',
  'too-many-registrations',
  'table-full',
  'stale-sequence',
  'implausible-sequence',
] as const;
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
  | {
      outcome: 'rejected';
      reason: TableRejectReason;
      source: string;
      /** Set when a known source's message over the per-source limit still renewed its lease
       * (its sequence and interval were taken in, its set left as it was). */
      renewed?: Accepted;
    };

/** One triple with a total count > 0 over all live sources (an answer's JSON schema: api-types.ts). */
export interface UserRow {
  backend: string;
  username: string;
  vuser: string;
  /** The sum of the counts every live source holds for the triple. */
  count: number;
}

/** One page of a listing, and the key to continue after when more may follow. */
export interface Page<Row> {
  rows: Row[];
  next: string | undefined;
}

export interface UserFilter {
  backend?: string;
  username?: string;
  vuser?: string;
}

/** One sender process as the table knows it (the API's SourceView shows its times as ISO text). */
export interface SourceRow {
  /** `host/pid/epoch`: the id `purge` takes. */
  key: string;
  host: string;
  pid: number;
  /** 16 hex digits. */
  epoch: string;
  /** Distinct triples the source holds. */
  triples: number;
  /** Sum of the counts the source holds. */
  registrations: number;
  /** u64 as decimal text (JSON has no bigint). */
  lastSeq: string;
  /** The announced interval, or the configured default before the first heartbeat. */
  intervalMs: number;
  leaseMs: number;
  /** Milliseconds since the epoch. */
  lastHeardAt: number;
  expiresAt: number;
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
