// SPDX-License-Identifier: GPL-3.0-or-later
// The message handler with a real table and real metrics: a batch applied a step at a time
// (several messages a step, tallied per step) ends exactly as its messages sent one frame each:
// the same table, change events, message counts, rejections, gaps, repairs and log lines.
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../src/protocol/types.js';
import { createMessageHandler, STEP_MESSAGES } from '../../src/server/message-handler.js';
import { NotifierMetrics } from '../../src/server/metrics.js';
import { RateLimitedLog } from '../../src/server/rate-limited-log.js';
import { StepClock } from '../../src/server/step-clock.js';
import { RegistrationTable } from '../../src/table/table.js';
import type { ChangeEvent } from '../../src/table/types.js';
import { encodeMessages } from '../support/frames.js';

const source = { host: 'mail.example.org', pid: 4242, epoch: '0123456789abcdef' };
const NOW = 1_700_000_000_000;

function command(username: string) {
  return { backend: 'SOGo', username, vuser: username, replicaGuid: '00112233-4455-6677-8899-aabbccddeeff', replId: 7 };
}

/**
 * A handler over a fresh table that holds at most `maxRegistrationsPerSource` triples a source,
 * and what it records. The table reads `now`; the handler gets `clock` if given.
 */
function harness({ maxRegistrationsPerSource = 3, now = () => NOW, clock }: { maxRegistrationsPerSource?: number; now?: () => number; clock?: StepClock } = {}) {
  const table = new RegistrationTable({
    limits: { maxSources: 10, maxRegistrationsPerSource },
    lease: { defaultIntervalMs: 5000, multiplier: 3, minLeaseMs: 1000, maxLeaseMs: 60_000 },
    now,
  });
  const events: ChangeEvent[] = [];
  table.onChange((event) => events.push(event));
  const metrics = new NotifierMetrics({ sizes: () => ({ sources: 0, users: 0, registrations: 0 }), heldRegistrations: () => 0, emptySources: () => 0, eventSubscribers: () => 0, eventSubscribersCut: () => 0, receiveBacklogMs: () => 0 });
  const lines: unknown[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line).reason) });
  let changes = 0;
  const handle = createMessageHandler({ table, metrics, rejectionLog: new RateLimitedLog(log, 0), maxFrameBytes: 65536, maxRegistrationsPerSource: 10_000, changed: () => changes++, clock });
  /** Handles one frame to its end; returns the number of steps it took. */
  const bytes = (frame: Uint8Array): number => {
    const steps = handle([Buffer.from(frame)]);
    let count = 0;
    while (steps !== undefined && !steps.next().done) count++;
    return count;
  };
  const frame = (messages: Message[]): number => bytes(encodeMessages(messages));
  const outcome = async () => {
    const { savedAt: _, ...state } = table.toState();
    return { state, events, counters: await metrics.statusCounters(), lines, changed: changes > 0 };
  };
  return { frame, bytes, outcome };
}

/** Registers, unregisters (one unmatched), a heartbeat that repairs, and registers past the per-source limit. */
function traffic(firstSeq: bigint): Message[] {
  const messages: Message[] = [];
  let seq = firstSeq;
  for (let i = 0; i < 50; i++) {
    const username = `user${i % 5}`;
    messages.push({ kind: i % 3 === 2 ? 'unregister' : 'register', source, seq: seq++, command: command(username) });
  }
  messages.push({ kind: 'heartbeat', source, seq: seq++, intervalMs: 2000, dropped: 4n, entries: [{ ...command('user0'), count: 1 }] });
  for (let i = 0; i < 5; i++) messages.push({ kind: 'register', source, seq: seq++, command: command(`late${i}`) });
  return messages;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the message handler', () => {
  it('applies a batch, a step of several messages at a time, exactly as the same messages one frame each', async () => {
    // The source starts at seq 1, then jumps to 20 (a gap of 18); the batch then starts at 18,
    // so its first three messages are stale.
    const opening: Message[] = [
      { kind: 'register', source, seq: 1n, command: command('first') },
      { kind: 'register', source, seq: 20n, command: command('second') },
    ];
    const batch = traffic(18n);

    const alone = harness();
    for (const message of [...opening, ...batch]) expect(alone.frame([message])).toBe(0);
    const batched = harness();
    for (const message of opening) batched.frame([message]);
    const steps = batched.frame(batch);

    expect(steps).toBe(Math.ceil(batch.length / STEP_MESSAGES));
    const expected = await alone.outcome();
    expect(await batched.outcome()).toStrictEqual(expected);
    // The scenario does what it claims: every kind of accounting moved.
    expect(expected.counters.rejections['stale-sequence']).toBe(3);
    expect(expected.counters.rejections['too-many-registrations']).toBeGreaterThan(0);
    expect(expected.counters.gaps).toBe('18');
    expect(expected.counters.senderDrops).toBe('4');
    expect(expected.counters.repairs).toBeGreaterThan(0);
    expect(expected.counters.unmatchedUnregisters).toBeGreaterThan(0);
    expect(expected.events.length).toBeGreaterThan(10);
  });

  it('refuses a bad batch whole, counted once, and applies none of it', async () => {
    const { bytes, outcome } = harness();
    const whole = encodeMessages(traffic(1n));
    expect(bytes(whole.subarray(0, whole.length - 1))).toBe(0);
    const { state, events, counters, lines } = await outcome();
    expect(state.sources).toEqual([]);
    expect(events).toEqual([]);
    expect(counters.messages).toStrictEqual({ invalid: { rejected: 1 } });
    expect(counters.rejections.truncated).toBe(1);
    expect(lines).toEqual(['truncated']);
  });

  it('with a StepClock as the table clock, reads the time once per step, not per message', async () => {
    let reading = NOW;
    const clock = new StepClock();
    const { frame, outcome } = harness({ maxRegistrationsPerSource: 100, now: clock.now, clock });
    vi.spyOn(Date, 'now').mockImplementation(() => reading++);
    const messages: Message[] = Array.from({ length: 40 }, (_, i) => ({ kind: 'register', source, seq: BigInt(i + 1), command: command(`user${i}`) }));
    expect(frame(messages)).toBe(3);
    expect(reading - NOW).toBe(3);
    const { events } = await outcome();
    expect(events.map((event) => event.at)).toEqual(messages.map((_, i) => NOW + Math.floor(i / STEP_MESSAGES)));
  });
});
