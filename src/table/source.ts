// SPDX-License-Identifier: GPL-3.0-or-later
import { sourceKey, type SourceId } from '../protocol/types.js';
import { Replicas } from './replicas.js';

/**
 * One sender process as the table knows it. Its registrations are a map of triple key (see
 * triple.ts) to count rather than one object per registration, to keep memory per held
 * registration small.
 */
export class Source {
  readonly key: string;
  /** Triple key -> count held (> 0). */
  counts = new Map<string, number>();
  replicas = new Replicas();
  /** Sum of `counts`. */
  registrations = 0;
  announcedIntervalMs: number | null = null;
  /** The highest running total of unqueued messages the sender reported. */
  droppedReported = 0n;
  /** Messages missed in transport (sum of sequence jumps): exact, as one jump may be near 2^64. */
  gaps = 0n;
  restored = false;
  expiresAt = 0;

  constructor(
    readonly id: SourceId,
    public lastSeq: bigint,
    public lastHeardAt: number,
  ) {
    this.key = sourceKey(id);
  }
}
