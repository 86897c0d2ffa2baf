// SPDX-License-Identifier: GPL-3.0-or-later
import type { SourceId } from '../protocol/types.js';
import type { HoldingList } from './holdings.js';

/**
 * One sender process as the table knows it. Its registrations (counts and replicas) are not in
 * this object: they are records of the table's Holdings (holdings.ts), listed from `first`, so
 * that a held registration costs a few typed-array fields rather than a Map entry and a key.
 */
export class Source implements HoldingList {
  first = -1;
  last = -1;
  /** Distinct triples held. */
  size = 0;
  /** Sum of the counts held. */
  registrations = 0;
  announcedIntervalMs: number | null = null;
  /** The highest running total of unqueued messages the sender reported. */
  droppedReported = 0n;
  /** Messages missed in transport (sum of sequence jumps): exact, as one jump may be near 2^64. */
  gaps = 0n;
  restored = false;
  expiresAt = 0;

  /** `key` is `sourceKey(id)`; `no` the source's number among the live ones (for its holdings). */
  constructor(
    readonly key: string,
    readonly no: number,
    public lastSeq: bigint,
    public lastHeardAt: number,
  ) {}

  /** Host, pid and epoch, read back from the key: `host/pid/epoch`, where only the host may hold a '/'. */
  get id(): SourceId {
    const last = this.key.lastIndexOf('/');
    const middle = this.key.lastIndexOf('/', last - 1);
    return { host: this.key.slice(0, middle), pid: Number(this.key.slice(middle + 1, last)), epoch: this.key.slice(last + 1) };
  }
}
