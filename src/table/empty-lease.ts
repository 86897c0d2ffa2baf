// SPDX-License-Identifier: GPL-3.0-or-later
// Sources that hold nothing take a short lease: they lose nothing when they go, and a sender
// that filled --max-sources with them locks new backends out only that long after it stops.
// The library announces a source that holds nothing again (an empty heartbeat) ahead of a call
// made after a silence of MM_ANNOUNCE_SILENCE_MS or one interval, whichever is shorter, so a
// source dropped sooner than its normal lease comes back knowing its interval.
// A source restored from a state file and not yet confirmed by a heartbeat keeps the deadline
// the restore gave it (an empty one: emptyLeaseMs from the restore, not from a last message
// heard before the notifier stopped, which its sender's queued calls may not have reached).
import type { Sources } from './sources.js';

/**
 * When source `no` expires: its lease, or `emptyLeaseMs` after it was last heard while it holds
 * nothing (`held` distinct triples).
 */
export function expiresAt(sources: Sources, no: number, held: number, emptyLeaseMs: number): number {
  if (held > 0 || sources.restored(no)) return sources.expiresAt(no);
  return Math.min(sources.expiresAt(no), sources.lastHeardAt(no) + emptyLeaseMs);
}
