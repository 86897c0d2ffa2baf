// SPDX-License-Identifier: GPL-3.0-or-later
// Section 4: the notifier's memory per held registration, and the heartbeat traffic that many
// registrations cost. Simulated sources (bench/lib/sources.mjs) fill the notifier with one
// heartbeat snapshot each, then go on heartbeating every 5 s (the default interval) as a
// deployment does. The notifier's resident set (from /metrics) is compared with that of the
// same notifier before any message, sampled every second while the heartbeats flow: the
// median is the row (what an operator sees), the lowest and highest are in the note. V8 lets
// its old generation fill with the heartbeats' garbage up to about twice what is live before a
// full collection, so the resident set swings with it; nothing here forces a collection.
// Beside it, the table alone in a child process after forced full collections
// (bench/lib/table-memory.mjs): what the table itself holds, steady from run to run.
// Where the bytes go is in the note: the V8 heap in use and committed, and the typed arrays
// (V8's external memory) the compact table keeps its records in (docs/architecture.md).
import { Notifier } from '../lib/notifier.mjs';
import { Child } from '../lib/processes.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const SECTION = '4 memory';
const TRIPLES_PER_SOURCE = 10;
const DEFAULT_INTERVAL_MS = 5000;
// Announced by the simulated sources so that no lease runs out during the measurement.
const ANNOUNCED_INTERVAL_MS = 100_000;

/** Seconds of steady heartbeats sampled, one sample a second (four heartbeat rounds; one under --quick). */
const STEADY_SECONDS = 20;
const QUICK_STEADY_SECONDS = 5;

async function memory(server) {
  const metric = (name) => server.metric(name);
  return {
    rss: await metric('process_resident_memory_bytes'),
    heap: await metric('nodejs_heap_size_used_bytes'),
    committed: await metric('nodejs_heap_size_total_bytes'),
    external: await metric('nodejs_external_memory_bytes'),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Samples every second for `seconds`: each field's median, and the resident set's lowest and highest. */
async function underHeartbeats(server, seconds) {
  const samples = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    samples.push(await memory(server));
  }
  const of = (field) => samples.map((sample) => sample[field]);
  return {
    rss: median(of('rss')),
    heap: median(of('heap')),
    committed: median(of('committed')),
    external: median(of('external')),
    lowest: Math.min(...of('rss')),
    highest: Math.max(...of('rss')),
  };
}

async function measure(registrations, seconds, log) {
  const sourceCount = registrations / TRIPLES_PER_SOURCE;
  const server = new Notifier({
    args: ['--max-sources', String(sourceCount), '--save-interval-ms', '3600000'],
  });
  await server.start();
  await sleep(1000);
  const empty = await memory(server);
  const sources = new SimulatedSources({ endpoint: server.endpoint, count: sourceCount, triples: TRIPLES_PER_SOURCE, intervalMs: ANNOUNCED_INTERVAL_MS });
  const t0 = performance.now();
  await sources.sendAll();
  await waitFor(`${registrations} registrations`, async () => (await server.status()).sizes.registrations === registrations, { timeoutMs: 300_000, everyMs: 200 });
  const loadSeconds = (performance.now() - t0) / 1000;
  sources.start(DEFAULT_INTERVAL_MS);
  const held = await underHeartbeats(server, seconds);
  const roundBytes = sources.heartbeatBytes();
  sources.close();
  await server.stop(60_000);
  log(`  ${registrations}: rss ${empty.rss} -> ${held.rss} (${held.lowest}..${held.highest}), heap ${empty.heap} -> ${held.heap} (committed ${empty.committed} -> ${held.committed}), external ${empty.external} -> ${held.external}`);
  const per = (field) => (held[field] - empty[field === 'lowest' || field === 'highest' ? 'rss' : field]) / registrations;
  return { sourceCount, seconds, loadSeconds, rss: per('rss'), lowest: per('lowest'), highest: per('highest'), heap: per('heap'), committed: per('committed'), external: per('external'), roundBytes };
}

/** The table alone, in a child process, after full collections (bytes per registration). */
async function tableAlone(registrations) {
  const child = new Child(process.execPath, ['--expose-gc', 'bench/lib/table-memory.mjs', String(registrations), String(TRIPLES_PER_SOURCE)], { label: 'table-memory' });
  return child.finish(600_000);
}

export async function run({ quick, log }) {
  const sizes = quick ? [10_000] : [100_000, 1_000_000];
  const rows = [];
  for (const registrations of sizes) {
    const m = await measure(registrations, quick ? QUICK_STEADY_SECONDS : STEADY_SECONDS, log);
    const alone = await tableAlone(registrations);
    const label = registrations >= 1e6 ? `${registrations / 1e6}M` : `${registrations / 1e3}k`;
    rows.push(
      {
        section: SECTION,
        measure: `notifier RSS per registration, ${label}`,
        value: m.rss,
        unit: 'B',
        vs: [{ label: 'its share of a heartbeat', value: m.roundBytes / registrations }],
        note: `${m.sourceCount} sources x ${TRIPLES_PER_SOURCE} triples heartbeating every 5 s, median of ${m.seconds} samples (lowest ${m.lowest.toFixed(0)} B, highest ${m.highest.toFixed(0)} B); per registration V8 heap ${m.heap.toFixed(0)} B in use (${m.committed.toFixed(0)} B committed), typed arrays ${m.external.toFixed(0)} B; loaded in ${m.loadSeconds.toFixed(1)} s`,
      },
      {
        section: SECTION,
        measure: `table alone, RSS per registration, ${label}`,
        value: alone.rss,
        unit: 'B',
        vs: [{ label: 'its share of a heartbeat', value: m.roundBytes / registrations }],
        note: `the same registrations in a child process, after full collections; V8 heap ${alone.heap.toFixed(0)} B, typed arrays ${alone.external.toFixed(0)} B`,
      },
      {
        section: SECTION,
        measure: `heartbeat traffic, ${label}, every 5 s`,
        value: (m.roundBytes * 1000) / DEFAULT_INTERVAL_MS,
        unit: 'B/s',
        note: `${((m.sourceCount * 1000) / DEFAULT_INTERVAL_MS).toFixed(0)} msgs/s of ${(m.roundBytes / m.sourceCount).toFixed(0)} B (from the frame sizes)`,
      },
    );
  }
  return rows;
}
