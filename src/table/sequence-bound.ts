// SPDX-License-Identifier: GPL-3.0-or-later
// A sequence jump no real sender can make is not taken on trust (docs/security.md, "What an
// allowed sender can do to another's sources"). A source's messages after the last one heard
// were numbered either before it was heard (they waited behind it: in the library's queue,
// ZeroMQ's queues and the kernel's socket buffers, at most `slack`) or since (at most
// `ratePerSecond` a second). A larger jump is a forgery, such as seq 2^64-1, which would make
// every later frame of the real sender stale.
import type { SequenceBound } from './types.js';

export class SequenceCheck {
  private readonly slack: bigint;

  constructor(private readonly bound: SequenceBound) {
    this.slack = BigInt(bound.slack);
  }

  /**
   * Whether a message may skip `missed` sequence numbers (missedBetween: exact, a number when
   * small) past those of a source last heard at `lastHeardAt` (ms).
   */
  allows(missed: number | bigint, lastHeardAt: number, now: () => number): boolean {
    if (missed <= this.bound.slack) return true;
    // A clock stepped back gives no credit, and takes none: the slack alone still applies.
    const sinceHeard = Math.ceil((this.bound.ratePerSecond * Math.max(0, now() - lastHeardAt)) / 1000);
    return BigInt(missed) <= this.slack + BigInt(sinceHeard);
  }
}
