// SPDX-License-Identifier: GPL-3.0-or-later
// Where the notifier's time per message goes, without ZeroMQ's or the scheduler's noise: the
// frames section 3's senders produce (bench-flood through the library, batched) are captured
// once, then replayed, in turn, through the decoder alone and through the notifier's real
// message handler, table and metrics, in process. Prints ns per message for each, the median
// and the best of ROUNDS rounds (a fresh table each round), in CPU time. Run it under
// `node --cpu-prof` for a profile.
//
//   node bench/js/ingest-replay.mjs [SENDERS] [CALLS] [ROUNDS] [FRAMES_FILE]
//
// With FRAMES_FILE, the frames are read from it if it exists, else captured and written to it:
// two builds can then replay the very same frames.
// Needs the build (npm run build).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Pull } from 'zeromq';
import pino from 'pino';
import { flood } from '../lib/ingest.mjs';
import { makeTempDir, removeTempDirs, ROOT } from '../lib/paths.mjs';

const dist = (path) => import(join(ROOT, 'dist', path));
const decoder = await dist('protocol/decode.js');
const { RegistrationTable } = await dist('table/table.js');
const { createMessageHandler } = await dist('server/message-handler.js');
const { NotifierMetrics } = await dist('server/metrics.js');
const { RateLimitedLog } = await dist('server/rate-limited-log.js');
const defaults = await dist('server/defaults.js');
/** The notifier's clock for the table, in a build that has one. */
const { StepClock } = await dist('server/step-clock.js').catch(() => ({}));

const [senders = 2, calls = 100_000, rounds = 7] = process.argv.slice(2, 5).map(Number);
const framesFile = process.argv[5];
const MAX_FRAME_BYTES = defaults.DEFAULTS.maxFrameBytes;

/** The frames the senders send, as the notifier's socket hands them over. */
async function capture() {
  const endpoint = `ipc://${join(makeTempDir(), 'replay.sock')}`;
  const socket = new Pull({ linger: 0, receiveTimeout: 3000 });
  await socket.bind(endpoint);
  const frames = [];
  const done = flood(endpoint, senders, calls);
  let messages = 0;
  try {
    for (;;) {
      const parts = await socket.receive();
      frames.push(parts);
      const [frame] = parts;
      messages += frame[1] === 5 ? frame.readUInt16LE(23 + frame[22]) : 1;
    }
  } catch (error) {
    if (error.code !== 'EAGAIN') throw error;
  }
  await done;
  socket.close();
  return { frames, messages };
}

const tableOptions = {
  limits: {
    maxSources: 10_000,
    maxRegistrationsPerSource: 100_000,
    maxRegistrations: 10_000_000,
    sequenceBound: { slack: 2_000_000, ratePerSecond: 10_000_000 },
  },
  lease: { defaultIntervalMs: 5000, multiplier: 3, minLeaseMs: 1500, maxLeaseMs: 3_600_000, emptyLeaseMs: 5000 },
};

/** Decoding alone, as the handler decodes (into a reused DecodedFrame where the build has one). */
function decodeOnly(frames) {
  const options = { maxFrameBytes: MAX_FRAME_BYTES };
  const into = decoder.DecodedFrame === undefined ? undefined : new decoder.DecodedFrame();
  for (const parts of frames) {
    const decoded = into === undefined ? decoder.decodeMessage(parts, options) : decoder.decodeInto(parts, options, into);
    if (!decoded.ok) throw new Error(`replay: ${decoded.reason} ${decoded.detail}`);
  }
}

function handlerRound(frames) {
  const clock = StepClock === undefined ? undefined : new StepClock();
  const table = new RegistrationTable({ ...tableOptions, now: clock?.now ?? Date.now });
  // As the notifier while no one follows the change stream (a build whose table predates
  // `wanted` ignores it and builds the events, as its notifier did).
  table.onChange(() => undefined, () => false);
  const metrics = new NotifierMetrics({ sizes: () => ({}), heldRegistrations: () => 0, emptySources: () => 0, eventSubscribers: () => 0, receiveBacklogMs: () => 0 });
  const log = pino({ level: 'silent' });
  let changes = 0;
  const handle = createMessageHandler({ table, metrics, rejectionLog: new RateLimitedLog(log, 1000), maxFrameBytes: MAX_FRAME_BYTES, maxRegistrationsPerSource: defaults.DEFAULTS.maxRegistrationsPerSource, changed: () => changes++, clock });
  for (const parts of frames) {
    const steps = handle(parts);
    if (steps !== undefined) while (!steps.next().done);
  }
  return { changes, table, metrics };
}

/** The CPU time `fn` took (user + system, ms, all of the process's threads: the collector's
 * too): on a shared machine, wall time mostly measures the other processes. */
function time(fn) {
  const start = process.cpuUsage();
  fn();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Frames as lines of hex, one ZeroMQ message (a single frame here) per line. */
function load(file) {
  const frames = readFileSync(file, 'utf8').trim().split('\n').map((hex) => [Buffer.from(hex, 'hex')]);
  const messages = frames.reduce((sum, [frame]) => sum + (frame[1] === 5 ? frame.readUInt16LE(23 + frame[22]) : 1), 0);
  return { frames, messages };
}

let captured;
if (framesFile !== undefined && existsSync(framesFile)) captured = load(framesFile);
else {
  captured = await capture();
  if (framesFile !== undefined) writeFileSync(framesFile, captured.frames.map(([frame]) => frame.toString('hex')).join('\n'));
}
const { frames, messages } = captured;
removeTempDirs();
const decodeMs = [];
const handleMs = [];
/** Young-generation collections while the handler rounds ran: with a fixed semi-space (run
 * node with --min-semi-space-size=N --max-semi-space-size=N), each one is N MiB allocated. */
const scavenges = [];
const handleWindows = [];
const gcs = new PerformanceObserver((list) => scavenges.push(...list.getEntries().filter((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)));
gcs.observe({ entryTypes: ['gc'] });
let last;
for (let round = 0; round < rounds; round++) {
  decodeMs.push(time(() => decodeOnly(frames)));
  const start = performance.now();
  handleMs.push(time(() => (last = handlerRound(frames))));
  handleWindows.push([start, performance.now()]);
}
await new Promise((resolve) => setTimeout(resolve, 50));
gcs.disconnect();
const handleScavenges = scavenges.filter((e) => handleWindows.some(([from, to]) => e.startTime >= from && e.startTime <= to)).length;
const counters = await last.metrics.statusCounters();
const nsPer = (ms) => Math.round((median(ms) * 1e6) / messages);
const bestNsPer = (ms) => Math.round((Math.min(...ms) * 1e6) / messages);
console.log(
  JSON.stringify({
    frames: frames.length,
    messages,
    decodeNsPerMessage: nsPer(decodeMs),
    handleNsPerMessage: nsPer(handleMs),
    bestDecodeNs: bestNsPer(decodeMs),
    bestHandleNs: bestNsPer(handleMs),
    scavengesPerMillionMessages: Math.round((handleScavenges * 1e6) / (messages * rounds)),
    changes: last.changes,
    counters: counters.messages,
    rejections: Object.fromEntries(Object.entries(counters.rejections).filter(([, n]) => n > 0)),
  }),
);
