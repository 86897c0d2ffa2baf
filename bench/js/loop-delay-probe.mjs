// SPDX-License-Identifier: GPL-3.0-or-later
// Loaded into the notifier by section 5 (`node --import`), never by the product: records how
// late a 1 ms timer fires (perf_hooks.monitorEventLoopDelay), which is how long anything the
// event loop has ready (an HTTP request) waits for the work in progress (a receive slice, a
// garbage collection), and the garbage collections meanwhile. On SIGUSR2 it prints
// `loop-delay N {"count","p50","p99","max","gc":{"scavenges","scavengeMaxMs","scavengeMs","others","othersMaxMs"}}`
// (ms; the delays with the 1 ms resolution subtracted) on stdout and starts a new window.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const RESOLUTION_MS = 1;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
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
const late = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

process.on('SIGUSR2', () => {
  const window = { count: histogram.count, p50: late(histogram.percentile(50)), p99: late(histogram.percentile(99)), max: late(histogram.max), gc };
  histogram.reset();
  gc = emptyGc();
  process.stdout.write(`loop-delay ${++windows} ${JSON.stringify(window)}\n`);
});
