// SPDX-License-Identifier: GPL-3.0-or-later
// Section 4: the notifier's memory per held registration, and the heartbeat traffic that many
// registrations cost. Simulated sources (bench/lib/sources.mjs) send one heartbeat snapshot
// each; the notifier's resident set and V8 heap (from /metrics) are compared with those of the
// same notifier before any message.
import { Notifier } from '../lib/notifier.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const SECTION = '4 memory';
const TRIPLES_PER_SOURCE = 10;
const DEFAULT_INTERVAL_MS = 5000;
// Announced by the simulated sources so that no lease runs out during the measurement.
const ANNOUNCED_INTERVAL_MS = 100_000;

async function memory(server) {
  return { rss: await server.metric('process_resident_memory_bytes'), heap: await server.metric('nodejs_heap_size_used_bytes') };
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
  await sleep(2000);
  const held = await memory(server);
  const roundBytes = sources.heartbeatBytes();
  sources.close();
  await server.stop(60_000);
  log(`  ${registrations}: rss ${empty.rss} -> ${held.rss}, heap ${empty.heap} -> ${held.heap}`);
  return { sourceCount, loadSeconds, rss: (held.rss - empty.rss) / registrations, heap: (held.heap - empty.heap) / registrations, roundBytes };
}

export async function run({ quick, log }) {
  const sizes = quick ? [10_000] : [100_000, 1_000_000];
  const rows = [];
  for (const registrations of sizes) {
    const m = await measure(registrations, log);
    const label = registrations >= 1e6 ? `${registrations / 1e6}M` : `${registrations / 1e3}k`;
    rows.push(
      {
        section: SECTION,
        measure: `notifier RSS per registration, ${label}`,
        value: m.rss,
        unit: 'B',
        vs: [{ label: 'its share of a heartbeat', value: m.roundBytes / registrations }],
        note: `${m.sourceCount} sources x ${TRIPLES_PER_SOURCE} triples; V8 heap ${m.heap.toFixed(0)} B per registration; loaded in ${m.loadSeconds.toFixed(1)} s`,
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
