// SPDX-License-Identifier: GPL-3.0-or-later
import { canonicalSeq, type Seq, type SourceId } from '../protocol/types.js';
import { BigUint64Column, Float64Column, Uint16Column } from './columns.js';
import { missedBetween } from './sequence-numbers.js';
import { byCodeUnit, OrderedKeys } from './ordered-keys.js';
import type { SourceFields } from './state.js';
import { StringPool } from './string-pool.js';

/** `announcedIntervalMs` of a source that has announced none (a heartbeat announces one). */
const NONE = -1;
/** `lastSeqs` of a source whose last sequence number is above 2^53-1 (a seq is never 0 or less). */
const LARGE_SEQ = -1;

/**
 * The sender processes the table knows, as records: each live source has a number (reused once
 * it goes) and its fields are columns, about 60 bytes a source where an object, its two boxed
 * times and its sequence number's BigInt took about 180. Its key (`sourceKey(id)`) is held as
 * bytes too: a source's number is its key's number in a string pool of their own, which finds
 * it by key, and an ordered index of the numbers lists them by key, where a Map entry and a
 * JavaScript string per key took about 100 bytes more. What a source holds is in the table's
 * Holdings (holdings.ts), by the same number.
 */
export class Sources {
  private readonly keys = new StringPool();
  /** The numbers in key order, for listings; a position may be a key that has gone meanwhile. */
  private readonly order = new OrderedKeys<number, string>((a, b) => this.compareKeys(a, b));
  /** Each source's last sequence number up to 2^53-1; LARGE_SEQ where `largeSeqs` holds it. */
  private readonly lastSeqs = new Float64Column();
  /** The last sequence numbers above 2^53-1, exactly (rare). */
  private readonly largeSeqs = new Map<number, bigint>();
  private readonly lastHeard = new Float64Column();
  private readonly expiries = new Float64Column();
  /** Sum of the counts held. */
  private readonly registrationSums = new Float64Column();
  private readonly intervals = new Float64Column();
  /** The highest running total of unqueued messages the sender reported. */
  private readonly droppedReported = new BigUint64Column();
  /** Restored from a state file and not confirmed by a heartbeat since: 1. */
  private readonly restoredFlags = new Uint16Column();
  /**
   * Messages missed in transport (sum of sequence jumps), where not 0: exact, as one jump may
   * be near 2^64, and rare, so a Map.
   */
  private readonly gapSums = new Map<number, bigint>();

  get size(): number {
    return this.keys.size;
  }

  /** The number of the source with `key`, or -1. */
  find(key: string): number {
    return this.keys.find(key);
  }

  /** Every live source's number is below this. */
  get span(): number {
    return this.keys.span;
  }

  /** Whether `no` is a live source's number. */
  has(no: number): boolean {
    return this.keys.holds(no);
  }

  /** The live sources' numbers, in number order; one removed meanwhile is left out. */
  *numbers(): Generator<number> {
    for (let no = 0; no < this.span; no++) if (this.has(no)) yield no;
  }

  /** The numbers of the sources whose keys come after `key` (all without one), in key order. */
  after(key: string | undefined): Generator<number> {
    return this.order.after(key);
  }

  /** A new source with `key`, last heard at `lastHeardAt` with `lastSeq`; returns its number. */
  add(key: string, lastSeq: Seq, lastHeardAt: number): number {
    const no = this.keys.retain(key);
    this.order.add(no);
    this.lastSeqs.ensure(no);
    this.lastHeard.ensure(no);
    this.expiries.ensure(no);
    this.registrationSums.ensure(no);
    this.intervals.ensure(no);
    this.droppedReported.ensure(no);
    this.restoredFlags.ensure(no);
    this.setLastSeq(no, lastSeq);
    this.lastHeard.set(no, lastHeardAt);
    this.expiries.set(no, 0);
    this.registrationSums.set(no, 0);
    this.intervals.set(no, NONE);
    this.droppedReported.set(no, 0n);
    this.restoredFlags.set(no, 0);
    return no;
  }

  remove(no: number): void {
    this.order.delete(no);
    this.keys.release(no);
    this.gapSums.delete(no);
    this.largeSeqs.delete(no);
  }

  key(no: number): string {
    return this.keys.text(no);
  }

  /** Host, pid and epoch, read back from the key: `host/pid/epoch`, where only the host may hold a '/'. */
  id(no: number): SourceId {
    const key = this.key(no);
    const last = key.lastIndexOf('/');
    const middle = key.lastIndexOf('/', last - 1);
    return { host: key.slice(0, middle), pid: Number(key.slice(middle + 1, last)), epoch: key.slice(last + 1) };
  }

  /** The last sequence number heard, as canonicalSeq gives it. */
  lastSeq(no: number): Seq {
    const seq = this.lastSeqs.get(no);
    return seq === LARGE_SEQ ? (this.largeSeqs.get(no) as bigint) : seq;
  }

  /** Takes in a message's sequence number, heard at `now`; returns the jump past the next one expected. */
  heard(no: number, seq: Seq, now: number): bigint {
    const missed = missedBetween(this.lastSeq(no), seq);
    // 0n is a constant; BigInt() allocates, which only a gap (rare) needs.
    const gap = missed === 0 ? 0n : BigInt(missed);
    if (gap !== 0n) this.gapSums.set(no, this.gaps(no) + gap);
    this.setLastSeq(no, seq);
    this.lastHeard.set(no, now);
    return gap;
  }

  private setLastSeq(no: number, seq: Seq): void {
    const stored = canonicalSeq(seq);
    if (typeof stored === 'number') {
      // A source's seq only grows; a number is large only if `add` reuses a removed one's slot.
      if (this.lastSeqs.get(no) === LARGE_SEQ) this.largeSeqs.delete(no);
      this.lastSeqs.set(no, stored);
    } else {
      this.lastSeqs.set(no, LARGE_SEQ);
      this.largeSeqs.set(no, stored);
    }
  }

  lastHeardAt(no: number): number {
    return this.lastHeard.get(no);
  }

  /** When the lease runs out (before the short lease of a source that holds nothing: empty-lease.ts). */
  expiresAt(no: number): number {
    return this.expiries.get(no);
  }

  setExpiresAt(no: number, at: number): void {
    this.expiries.set(no, at);
  }

  registrations(no: number): number {
    return this.registrationSums.get(no);
  }

  addRegistrations(no: number, delta: number): void {
    this.registrationSums.set(no, this.registrationSums.get(no) + delta);
  }

  announcedIntervalMs(no: number): number | null {
    const interval = this.intervals.get(no);
    return interval === NONE ? null : interval;
  }

  setAnnouncedIntervalMs(no: number, intervalMs: number | null): void {
    this.intervals.set(no, intervalMs ?? NONE);
  }

  droppedReportedOf(no: number): bigint {
    return this.droppedReported.get(no);
  }

  setDroppedReported(no: number, dropped: bigint): void {
    this.droppedReported.set(no, dropped);
  }

  gaps(no: number): bigint {
    return this.gapSums.get(no) ?? 0n;
  }

  setGaps(no: number, gaps: bigint): void {
    if (gaps === 0n) this.gapSums.delete(no);
    else this.gapSums.set(no, gaps);
  }

  restored(no: number): boolean {
    return this.restoredFlags.get(no) === 1;
  }

  setRestored(no: number, restored: boolean): void {
    this.restoredFlags.set(no, restored ? 1 : 0);
  }

  /** The source's fields in their saved form (state-schema.ts), registrations aside. */
  saved(no: number): SourceFields {
    const { host, pid, epoch } = this.id(no);
    return {
      host,
      pid,
      epoch,
      lastSeq: this.lastSeq(no).toString(),
      announcedIntervalMs: this.announcedIntervalMs(no),
      lastHeardAt: this.lastHeardAt(no),
      expiresAt: this.expiresAt(no),
      droppedReported: this.droppedReportedOf(no).toString(),
      gaps: this.gaps(no).toString(),
    };
  }

  /** Key order (code units) between numbers and keys given as text. */
  private compareKeys(a: number | string, b: number | string): number {
    if (typeof a === 'number') return typeof b === 'number' ? this.keys.compare(a, b) : this.keys.compareText(a, b);
    return typeof b === 'number' ? -this.keys.compareText(b, a) : byCodeUnit(a, b);
  }
}
