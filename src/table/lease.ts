// SPDX-License-Identifier: GPL-3.0-or-later
import type { LeaseOptions } from './types.js';

/** A source's lease: `multiplier` x its interval, clamped to [minLeaseMs, maxLeaseMs]. */
export function leaseFor(intervalMs: number, options: LeaseOptions): number {
  return Math.min(options.maxLeaseMs, Math.max(options.minLeaseMs, options.multiplier * intervalMs));
}
