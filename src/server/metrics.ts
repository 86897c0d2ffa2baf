// SPDX-License-Identifier: GPL-3.0-or-later
// The notifier's counters and gauges (prom-client, plus exact counters for totals of u64 values).
// They are the single record of what the notifier saw: GET /metrics exposes them and
// GET /v1/status summarises them.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REJECT_REASONS } from '../protocol/types.js';
import { TABLE_REJECT_REASONS } from '../table/types.js';
import type { StatusCounters, StatusSizes } from './api-types.js';
import { ExactCounter } from './exact-counter.js';
import { MessageCounts } from './message-counts.js';

const PREFIX = 'mapistore_mgmt_';

/** Where the gauges read their values when scraped. */
export interface MetricProbes {
  sizes: () => StatusSizes;
  /** Distinct triples held over all sources (what --max-registrations bounds). */
  heldRegistrations: () => number;
  /** Live sources that hold nothing (they take --empty-lease-ms). */
  emptySources: () => number;
  eventSubscribers: () => number;
  /** Change-stream clients cut for falling 1 MiB behind, since start. */
  eventSubscribersCut: () => number;
  /** How long frames have been waiting unread (0 when the receive loop keeps up). */
  receiveBacklogMs: () => number;
}

export class NotifierMetrics {
  /** Read it through the registry or `statusCounters()`; count with `countMessage()`. */
  readonly messages: Counter<'kind' | 'result'>;
  private readonly messageCounts = new MessageCounts();
  readonly rejections: Counter<'reason'>;
  readonly repairs: Counter;
  readonly gaps: ExactCounter;
  readonly expirations: Counter;
  readonly emptyExpirations: Counter;
  readonly unmatchedUnregisters: Counter;
  readonly senderDrops: ExactCounter;
  readonly receivedBytes: Counter;
  readonly batches: Counter;
  readonly batchedMessages: Counter;
  readonly receiveSlices: Histogram;
  readonly expiryDelay: Histogram;
  readonly eventSubscribersRefused: Counter;
  private readonly saveFailures: Counter;
  private readonly lastSave: Gauge;
  private readonly lastSaveDuration: Gauge;

  /** `registry`: the one the peer checks (bound before these metrics exist) already count in. */
  constructor(
    probes: MetricProbes,
    readonly registry = new Registry(),
  ) {
    const { sizes, eventSubscribers, eventSubscribersCut, receiveBacklogMs, heldRegistrations, emptySources } = probes;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const counts = this.messageCounts;
    this.messages = new Counter({
      name: `${PREFIX}messages_total`,
      help: 'Messages received, by kind (invalid: a frame that could not be decoded, a whole batch counted once) and result (applied, ignored, rejected).',
      labelNames: ['kind', 'result'],
      registers,
      collect() {
        counts.handOver(this);
      },
    });
    this.rejections = new Counter({
      name: `${PREFIX}rejections_total`,
      help: 'Frames rejected, by reason (docs/protocol.md, plus the notifier limits).',
      labelNames: ['reason'],
      registers,
    });
    // Every reason shows from the start (at 0), so dashboards and alerts need no special case.
    for (const reason of [...REJECT_REASONS, ...TABLE_REJECT_REASONS]) this.rejections.inc({ reason }, 0);
    this.repairs = new Counter({ name: `${PREFIX}repairs_total`, help: 'Triples whose count a heartbeat snapshot corrected.', registers });
    this.gaps = new ExactCounter(`${PREFIX}sequence_gaps_total`, 'Messages missed in transport (sum of sequence gaps).');
    this.expirations = new Counter({ name: `${PREFIX}expirations_total`, help: 'Sources dropped because their lease ran out.', registers });
    this.emptyExpirations = new Counter({
      name: `${PREFIX}empty_expirations_total`,
      help: 'Of the expirations, sources that held nothing (--empty-lease-ms after their last message).',
      registers,
    });
    new Gauge({
      name: `${PREFIX}empty_sources`,
      help: 'Live sources that hold nothing: they expire --empty-lease-ms after their last message.',
      registers,
      collect() {
        this.set(emptySources());
      },
    });
    this.unmatchedUnregisters = new Counter({
      name: `${PREFIX}unmatched_unregisters_total`,
      help: 'Unregisters with nothing to match, ignored.',
      registers,
    });
    this.senderDrops = new ExactCounter(
      `${PREFIX}sender_dropped_total`,
      'Messages senders reported they could not queue (from heartbeats; a lower total than one already reported adds nothing).',
    );
    this.saveFailures = new Counter({
      name: `${PREFIX}state_save_failures_total`,
      help: 'Saves of the table to the state directory that failed (each is retried at the next interval).',
      registers,
    });
    this.lastSave = new Gauge({
      name: `${PREFIX}state_last_save_timestamp_seconds`,
      help: 'When the table was last saved successfully (Unix time; 0 before the first save).',
      registers,
    });
    this.lastSaveDuration = new Gauge({
      name: `${PREFIX}state_last_save_duration_seconds`,
      help: 'How long the last successful save took, from start to the durable rename (the event loop runs meanwhile).',
      registers,
    });
    this.receivedBytes = new Counter({ name: `${PREFIX}received_bytes_total`, help: 'Bytes of the frames received.', registers });
    this.batches = new Counter({ name: `${PREFIX}batches_total`, help: 'Batch frames decoded (each of their messages is counted in messages_total).', registers });
    this.batchedMessages = new Counter({ name: `${PREFIX}batched_messages_total`, help: 'Messages that came in batch frames.', registers });
    this.receiveSlices = new Histogram({
      name: `${PREFIX}receive_slice_seconds`,
      help: 'Time the receive loop held the event loop in one slice (it yields after 0.1 ms, or once nothing is queued).',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256],
      registers,
    });
    new Gauge({
      name: `${PREFIX}receive_backlog_seconds`,
      help: 'How long frames have been waiting unread in ZeroMQ\'s queues (0 while the receive loop has read everything).',
      registers,
      collect() {
        this.set(receiveBacklogMs() / 1000);
      },
    });
    this.expiryDelay = new Histogram({
      name: `${PREFIX}expiry_delay_seconds`,
      help: 'Time from a source\'s lease deadline to its expiry.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10],
      registers,
    });
    this.eventSubscribersRefused = new Counter({
      name: `${PREFIX}event_subscribers_refused_total`,
      help: 'Change-stream clients refused (503) because --max-event-subscribers were following.',
      registers,
    });
    new Counter({
      name: `${PREFIX}event_subscribers_cut_total`,
      help: 'Change-stream clients cut because more than 1 MiB of events waited for them.',
      registers,
      collect() {
        this.reset();
        this.inc(eventSubscribersCut());
      },
    });
    const gauge = (name: string, help: string, read: (s: StatusSizes) => number) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        registers,
        collect() {
          this.set(read(sizes()));
        },
      });
    gauge('sources', 'Live sources (sender processes).', (s) => s.sources);
    gauge('users', 'Registered (backend, username, vuser) triples.', (s) => s.users);
    gauge('registrations', 'Registrations held, summed over all sources.', (s) => s.registrations);
    new Gauge({
      name: `${PREFIX}held_registrations`,
      help: 'Distinct triples held, summed over all sources: what --max-registrations bounds.',
      registers,
      collect() {
        this.set(heldRegistrations());
      },
    });
    new Gauge({
      name: `${PREFIX}event_subscribers`,
      help: 'Clients following the change stream (GET /v1/events).',
      registers,
      collect() {
        this.set(eventSubscribers());
      },
    });
  }

  /** Where the table saver reports each save. */
  readonly saves = {
    saved: (durationSeconds: number): void => {
      this.lastSave.set(Date.now() / 1000);
      this.lastSaveDuration.set(durationSeconds);
    },
    failed: (): void => this.saveFailures.inc(),
  };

  /** The Prometheus text of GET /metrics. */
  async exposition(): Promise<string> {
    const text = await this.registry.metrics();
    return `${text}${text.endsWith('\n') ? '' : '\n'}${this.gaps.exposition()}${this.senderDrops.exposition()}`;
  }

  /** Counts `n` (default 1) received messages: `kind` as decoded (or 'invalid'), `result` as applied, ignored or rejected. */
  countMessage(kind: string, result: string, n = 1): void {
    this.messageCounts.add(kind, result, n);
  }

  /** The counters for GET /v1/status. */
  async statusCounters(): Promise<StatusCounters> {
    const messages: Record<string, Record<string, number>> = {};
    for (const { labels, value } of (await this.messages.get()).values) {
      const kind = String(labels.kind);
      (messages[kind] ??= {})[String(labels.result)] = value;
    }
    const rejections: Record<string, number> = {};
    for (const { labels, value } of (await this.rejections.get()).values) rejections[String(labels.reason)] = value;
    const total = async (counter: Counter) => (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
    return {
      messages,
      rejections,
      repairs: await total(this.repairs),
      gaps: this.gaps.value.toString(),
      expirations: await total(this.expirations),
      unmatchedUnregisters: await total(this.unmatchedUnregisters),
      senderDrops: this.senderDrops.value.toString(),
    };
  }
}
