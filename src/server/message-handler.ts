// SPDX-License-Identifier: GPL-3.0-or-later
// Turns each received ZeroMQ message (one protocol message, or a batch of them) into table
// changes, and accounts for them: every message ends up counted by kind and result, every
// refusal by reason and in a rate-limited log line.
import { DecodedFrame, decodeInto } from '../protocol/decode.js';
import type { Message } from '../protocol/types.js';
import type { ApplyResult } from '../table/types.js';
import type { RegistrationTable } from '../table/table.js';
import type { NotifierMetrics } from './metrics.js';
import type { FrameHandler } from './frame-receiver.js';
import type { RateLimitedLog } from './rate-limited-log.js';
import type { StepClock } from './step-clock.js';

export interface MessageHandlerDeps {
  table: RegistrationTable;
  metrics: NotifierMetrics;
  rejectionLog: RateLimitedLog;
  maxFrameBytes: number;
  /** `--max-registrations-per-source`: bounds a multipart message at the largest heartbeat it allows. */
  maxRegistrationsPerSource: number;
  /** Called after a step (one or more messages) that changed the table. */
  changed: () => void;
  /** The table's clock, if it is one: a step's messages then take one reading of the time. */
  clock?: StepClock;
}

/** The metrics `kind` of a frame that could not be decoded. */
const UNDECODED = 'invalid';

/**
 * Messages of a batch applied per step of the receive loop, which checks its slice's budget
 * between steps: at about 1 µs a message, a step is a few percent of a slice, and the clock is
 * read once per step rather than per message.
 */
export const STEP_MESSAGES = 16;

const MORE: IteratorResult<undefined> = { done: false, value: undefined };
const DONE: IteratorResult<undefined> = { done: true, value: undefined };

/**
 * What a step counts, in plain numbers, handed to the metrics once per step: a prom-client
 * call hashes its labels, and a bigint sum allocates, even of 0n.
 */
class StepTally {
  /** Count per (kind, result) met in this step, in order of first meeting. */
  private readonly kinds: string[] = [];
  private readonly results: string[] = [];
  private readonly counts: number[] = [];
  gap = 0n;
  droppedGrowth = 0n;
  repairs = 0;
  unmatchedUnregisters = 0;

  count(kind: string, result: string): void {
    const { kinds, results, counts } = this;
    for (let i = 0; i < kinds.length; i++) {
      if (kinds[i] === kind && results[i] === result) {
        counts[i] = (counts[i] as number) + 1;
        return;
      }
    }
    kinds.push(kind);
    results.push(result);
    counts.push(1);
  }

  handOver(metrics: NotifierMetrics): void {
    for (let i = 0; i < this.kinds.length; i++) metrics.countMessage(this.kinds[i] as string, this.results[i] as string, this.counts[i] as number);
    this.kinds.length = 0;
    this.results.length = 0;
    this.counts.length = 0;
    if (this.gap !== 0n) metrics.gaps.add(this.gap);
    if (this.droppedGrowth !== 0n) metrics.senderDrops.add(this.droppedGrowth);
    if (this.repairs > 0) metrics.repairs.inc(this.repairs);
    if (this.unmatchedUnregisters > 0) metrics.unmatchedUnregisters.inc(this.unmatchedUnregisters);
    this.gap = 0n;
    this.droppedGrowth = 0n;
    this.repairs = 0;
    this.unmatchedUnregisters = 0;
  }
}

export function createMessageHandler(deps: MessageHandlerDeps): FrameHandler {
  const { table, metrics, rejectionLog } = deps;
  const options = { maxFrameBytes: deps.maxFrameBytes, maxHeartbeatEntries: deps.maxRegistrationsPerSource };
  const frame = new DecodedFrame();
  const tally = new StepTally();

  const logRejection = (reason: string, detail: string, source?: string): void => {
    metrics.rejections.inc({ reason });
    rejectionLog.warn(reason, { reason, detail, ...(source ? { source } : {}) }, 'rejected a message');
  };

  /** Applies one message, accounted (in `tally`) as if it had come alone; says whether the table changed. */
  const applyOne = (message: Message, key: string): boolean => {
    const result: ApplyResult = table.apply(message, key);
    if (result.outcome === 'rejected') {
      tally.count(message.kind, 'rejected');
      logRejection(result.reason, `${message.kind} seq ${message.seq}`, result.source);
      if (result.renewed === undefined) return false;
      if (result.renewed.gap !== 0n) tally.gap += result.renewed.gap;
      if (result.renewed.droppedGrowth !== 0n) tally.droppedGrowth += result.renewed.droppedGrowth;
      return true;
    }
    tally.count(message.kind, result.outcome);
    if (result.gap !== 0n) tally.gap += result.gap;
    if (result.droppedGrowth !== 0n) tally.droppedGrowth += result.droppedGrowth;
    tally.repairs += result.repairs;
    if (result.outcome === 'ignored' && result.reason === 'unmatched-unregister') tally.unmatchedUnregisters++;
    return true;
  };

  /** Applies messages [from, to) of the frame, then accounts for them. */
  const applyRange = (from: number, to: number): void => {
    let changed = false;
    const step = (): void => {
      for (let i = from; i < to; i++) if (applyOne(frame.message(i), frame.sourceKey)) changed = true;
    };
    if (deps.clock === undefined) step();
    else deps.clock.during(step);
    tally.handOver(metrics);
    if (changed) deps.changed();
  };

  /** A batch, STEP_MESSAGES per step, so the receive loop can end a slice inside it. One
   * object, reused: the loop finishes (or drops) a frame before it takes the next. */
  let next = 0;
  const steps: Iterator<undefined> = {
    next: () => {
      if (next >= frame.count) {
        frame.release();
        return DONE;
      }
      const end = Math.min(next + STEP_MESSAGES, frame.count);
      applyRange(next, end);
      next = end;
      return MORE;
    },
  };

  return (parts) => {
    const decoded = decodeInto(parts, options, frame);
    if (!decoded.ok) {
      // A batch that cannot be decoded is refused whole, counted once (docs/protocol.md).
      metrics.countMessage(UNDECODED, 'rejected');
      logRejection(decoded.reason, decoded.detail);
      return;
    }
    if (frame.count === 1) {
      applyRange(0, 1);
      frame.release();
      return;
    }
    metrics.batches.inc();
    metrics.batchedMessages.inc(frame.count);
    next = 0;
    return steps;
  };
}
