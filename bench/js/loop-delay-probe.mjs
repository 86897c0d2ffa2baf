// SPDX-License-Identifier: GPL-3.0-or-later
// Loaded into the notifier by section 5 (`node --import`), never by the product: records how
// long an event that is ready waits for the notifier's event loop (what an HTTP request that
// has arrived waits for the work in progress: a receive slice, a garbage collection, another
// request), and the garbage collections meanwhile.
//
// A worker thread posts the time (CLOCK_MONOTONIC, shared by the threads) to the main thread
// every PING_MS; the main thread records, for each ping, the time from its post to its
// handling. A message wakes the loop as a socket does (an event the loop polls for) and is
// timed to the microsecond. perf_hooks.monitorEventLoopDelay is not used: it times a libuv
// timer, which counts in whole milliseconds, so that an idle loop's delay comes out anywhere
// from 0 to 1 ms (its p99 about 1 ms, the granularity, not the loop).
//
// On SIGUSR2 it prints `loop-delay N {"count","p50","p99","max","gc":{"scavenges","scavengeMaxMs","scavengeMs","others","othersMaxMs"}}`
// (ms) on stdout and starts a new window.
import { constants, createHistogram, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const PING_MS = 1;
const histogram = createHistogram();
const pinger = new Worker(
  `const { parentPort } = require('node:worker_threads');
   const clock = new Int32Array(new SharedArrayBuffer(4));
   for (;;) {
     Atomics.wait(clock, 0, 0, ${PING_MS});
     parentPort.postMessage(process.hrtime.bigint());
   }`,
  { eval: true },
);
pinger.unref();
pinger.on('message', (sent) => histogram.record(Number(process.hrtime.bigint() - sent) || 1));

const emptyGc = () => ({ scavenges: 0, scavengeMaxMs: 0, scavengeMs: 0, others: 0, othersMaxMs: 0 });
let gc = emptyGc();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      gc.scavenges += 1;
      gc.scavengeMs += entry.duration;
      gc.scavengeMaxMs = Math.max(gc.scavengeMaxMs, entry.duration);
    } else {
      gc.others += 1;
      gc.othersMaxMs = Math.max(gc.othersMaxMs, entry.duration);
    }
  }
}).observe({ entryTypes: ['gc'] });
let windows = 0;
const ms = (ns) => ns / 1e6;

process.on('SIGUSR2', () => {
  const window = { count: histogram.count, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), gc };
  histogram.reset();
  gc = emptyGc();
  process.stdout.write(`loop-delay ${++windows} ${JSON.stringify(window)}\n`);
});
