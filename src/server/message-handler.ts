// SPDX-License-Identifier: GPL-3.0-or-later
// Turns each received ZeroMQ message (one protocol message, or a batch of them) into table
// changes, and accounts for them: every message ends up counted by kind and result, every
// refusal by reason and in a rate-limited log line.
import { decodeMessage } from '../protocol/decode.js';
import type { Message } from '../protocol/types.js';
import type { RegistrationTable } from '../table/table.js';
import type { NotifierMetrics } from './metrics.js';
import type { FrameHandler } from './frame-receiver.js';
import type { RateLimitedLog } from './rate-limited-log.js';

export interface MessageHandlerDeps {
  table: RegistrationTable;
  metrics: NotifierMetrics;
  rejectionLog: RateLimitedLog;
  maxFrameBytes: number;
  /** Called after anything that changed the table. */
  changed: () => void;
}

/** The metrics `kind` of a frame that could not be decoded. */
const UNDECODED = 'invalid';

export function createMessageHandler(deps: MessageHandlerDeps): FrameHandler {
  const { table, metrics, rejectionLog } = deps;
  const options = { maxFrameBytes: deps.maxFrameBytes };

  const reject = (kind: string, reason: string, detail: string, source?: string): void => {
    metrics.countMessage(kind, 'rejected');
    metrics.rejections.inc({ reason });
    rejectionLog.warn(reason, { reason, detail, ...(source ? { source } : {}) }, 'rejected a message');
  };

  /** Applies one message, accounted as if it had come alone. */
  const applyOne = (message: Message, key: string): boolean => {
    const result = table.apply(message, key);
    if (result.outcome === 'rejected') {
      reject(message.kind, result.reason, `${message.kind} seq ${message.seq}`, result.source);
      if (result.renewed === undefined) return false;
      metrics.gaps.add(result.renewed.gap);
      metrics.senderDrops.add(result.renewed.droppedGrowth);
      return true;
    }
    metrics.countMessage(message.kind, result.outcome);
    metrics.gaps.add(result.gap);
    metrics.senderDrops.add(result.droppedGrowth);
    if (result.repairs > 0) metrics.repairs.inc(result.repairs);
    if (result.outcome === 'ignored' && result.reason === 'unmatched-unregister') metrics.unmatchedUnregisters.inc();
    return true;
  };

  /** A batch's messages one per step, so the receive loop can end a slice between two. */
  function* applyBatch(messages: Message[], sourceKey: string): Generator<void> {
    metrics.batches.inc();
    metrics.batchedMessages.inc(messages.length);
    for (let i = 0; i < messages.length; i++) {
      if (applyOne(messages[i] as Message, sourceKey)) deps.changed();
      yield;
    }
  }

  return (parts) => {
    const decoded = decodeMessage(parts, options);
    if (!decoded.ok) {
      // A batch that cannot be decoded is refused whole, counted once (docs/protocol.md).
      reject(UNDECODED, decoded.reason, decoded.detail);
      return;
    }
    const { messages, sourceKey } = decoded;
    if (messages.length > 1) return applyBatch(messages, sourceKey);
    if (applyOne(messages[0] as Message, sourceKey)) deps.changed();
  };
}
