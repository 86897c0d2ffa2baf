// SPDX-License-Identifier: GPL-3.0-or-later
// Section 4: the notifier's memory per held registration, and the heartbeat traffic that many
// registrations cost. Simulated sources (bench/lib/sources.mjs) send one heartbeat snapshot
// each; the notifier's resident set (from /metrics) is compared with that of the same notifier
// before any message, once it has settled after the load (its lowest until it has made no new
// low for a few seconds; V8 collects the load's garbage when it chooses, so this figure moves
// between runs). Beside it, the table alone in a child process after forced full collections
// (bench/lib/table-memory.mjs): what the table itself costs, steady from run to run.
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

/** Seconds the resident set must stay above its lowest value for the notifier to count as settled. */
const SETTLED_SECONDS = 4;
const SETTLE_LIMIT_SECONDS = 30;

async function memory(server) {
  const metric = (name) => server.metric(name);
  return {
    rss: await metric('process_resident_memory_bytes'),
    heap: await metric('nodejs_heap_size_used_bytes'),
    committed: await metric('nodejs_heap_size_total_bytes'),
    external: await metric('nodejs_external_memory_bytes'),
  };
}

/** Samples every second until the resident set has not reached a new low for SETTLED_SECONDS; returns the lowest sample. */
async function settled(server) {
  let lowest = await memory(server);
  for (let since = 0, waited = 0; since < SETTLED_SECONDS && waited < SETTLE_LIMIT_SECONDS; waited++) {
    await sleep(1000);
    const now = await memory(server);
    if (now.rss < lowest.rss) {
      lowest = now;
      since = 0;
    } else since++;
  }
  return lowest;
}

async function measure(registrations, log) {
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
  const held = await settled(server);
  const roundBytes = sources.heartbeatBytes();
  sources.close();
  await server.stop(60_000);
  log(`  ${registrations}: rss ${empty.rss} -> ${held.rss}, heap ${empty.heap} -> ${held.heap} (committed ${empty.committed} -> ${held.committed}), external ${empty.external} -> ${held.external}`);
  const per = (field) => (held[field] - empty[field]) / registrations;
  return { sourceCount, loadSeconds, rss: per('rss'), heap: per('heap'), committed: per('committed'), external: per('external'), roundBytes };
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
    const m = await measure(registrations, log);
    const alone = await tableAlone(registrations);
    const label = registrations >= 1e6 ? `${registrations / 1e6}M` : `${registrations / 1e3}k`;
    rows.push(
      {
        section: SECTION,
        measure: `notifier RSS per registration, ${label}`,
        value: m.rss,
        unit: 'B',
        vs: [{ label: 'its share of a heartbeat', value: m.roundBytes / registrations }],
        note: `${m.sourceCount} sources x ${TRIPLES_PER_SOURCE} triples, settled after the load; per registration V8 heap ${m.heap.toFixed(0)} B in use (${m.committed.toFixed(0)} B committed), typed arrays ${m.external.toFixed(0)} B; loaded in ${m.loadSeconds.toFixed(1)} s`,
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
