// SPDX-License-Identifier: GPL-3.0-or-later
// Expires silent sources on a timer, without mistaking a notifier that stood still for senders
// that went silent. Two cases differ:
// - stalled: the receive loop could not run (a paused process, a long synchronous write). The
//   tick comes late, by more than the receive loop's own work explains, and what senders sent
//   meanwhile still waits unread in the socket. That tick and the ticks of the next CATCH_UP_MS
//   expire nobody, so the receive loop reads the backlog first.
// - busy: the receive loop runs (a tick may come late by the handling of one big frame), but
//   frames may wait in ZeroMQ's queues. A source goes once its deadline is before the last moment the receive loop
//   had read everything queued (then no frame of it can be waiting), or at the latest
//   CATCH_UP_MS after its deadline (ZeroMQ serves each sender's queue in turn, so a live
//   sender's frames do not wait behind another sender's flood for that long).
// So a dead source leaves within its lease plus CATCH_UP_MS plus one tick under any load, and
// within its lease plus one tick while the receive loop keeps up.
import type { RegistrationTable } from '../table/table.js';
import type { SourceRow } from '../table/types.js';

/** How long the receive loop gets, after a stall or a deadline, to read what waited meanwhile. */
export const CATCH_UP_MS = 1_000;

export interface ExpiryClock {
  /** The last time the receive loop had read everything queued (FrameReceiver.caughtUpAt). */
  caughtUpAt(): number;
  /** Milliseconds the receive loop has spent receiving and handling, in all (FrameReceiver.receivingMs). */
  receivingMs(): number;
  /** Wall-clock milliseconds; Date.now unless a test supplies another. */
  now?: () => number;
}

/** The tick period for a shortest lease of `minLeaseMs`: a quarter of it, within [50 ms, 1 s]. */
function expiryTickMs(minLeaseMs: number): number {
  return Math.min(1_000, Math.max(50, Math.floor(minLeaseMs / 4)));
}

/**
 * Decides, tick by tick, the deadline up to which sources may be expired (undefined: none).
 * Kept apart from the timer so that its rule can be tested with a fake clock.
 */
export class ExpiryJudge {
  private lastTick: number;
  private lastReceivingMs: number;
  private stalledAt = -Infinity;

  constructor(
    private readonly tickMs: number,
    private readonly clock: Required<ExpiryClock>,
  ) {
    this.lastTick = clock.now();
    this.lastReceivingMs = clock.receivingMs();
  }

  /** Called at each tick: returns the cut-off (expire sources whose deadline is at or before it). */
  tick(): number | undefined {
    const now = this.clock.now();
    const receivingMs = this.clock.receivingMs();
    // Time since the last tick that neither the timer's period nor the receive loop's work explains.
    const unexplained = now - this.lastTick - (receivingMs - this.lastReceivingMs);
    if (unexplained > 2 * this.tickMs) this.stalledAt = now;
    this.lastTick = now;
    this.lastReceivingMs = receivingMs;
    if (now - this.stalledAt < CATCH_UP_MS) return undefined;
    return Math.max(this.clock.caughtUpAt(), now - CATCH_UP_MS);
  }
}

/**
 * Checks leases often enough that a source goes soon after its lease ends (the shortest lease
 * is `minLeaseMs`), handing the expired sources to `expired`. Returns a stop function.
 */
export function startExpiry(table: RegistrationTable, minLeaseMs: number, clock: ExpiryClock, expired: (sources: SourceRow[]) => void): () => void {
  const tickMs = expiryTickMs(minLeaseMs);
  const judge = new ExpiryJudge(tickMs, { now: Date.now, ...clock });
  const timer = setInterval(() => {
    const cutoff = judge.tick();
    if (cutoff === undefined) return;
    const sources = table.expire(cutoff);
    if (sources.length > 0) expired(sources);
  }, tickMs);
  return () => clearInterval(timer);
}
