// SPDX-License-Identifier: GPL-3.0-or-later
// Section 5: query latency while registrations stream in at a fixed rate, beside the same
// queries on an idle notifier. The table holds registrations of simulated sources; the ingest
// comes from real C processes calling the library (bench-flood at a fixed rate).
import { program } from '../lib/paths.mjs';
import { Child } from '../lib/processes.mjs';
import { messagesTakenIn, Notifier } from '../lib/notifier.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { percentile } from '../lib/stats.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const SECTION = '5 queries under load';
const TRIPLES_PER_SOURCE = 10;
const INGEST_SENDERS = 2;
const INGEST_RATE_PER_SENDER = 5000;

/** [label, path of the i-th query, how many queries] */
function queriesFor(sourceCount, count) {
  const pick = (i) => `sim${(i * 7919) % sourceCount}-${i % TRIPLES_PER_SOURCE}`;
  return [
    ['GET /v1/registered-users', (i) => `/v1/registered-users?backend=SOGo&vuser=${pick(i)}`, count],
    ['GET /v1/users?username=', (i) => `/v1/users?username=${pick(i)}`, count],
    ['GET /v1/users (a page of 1000)', () => '/v1/users?limit=1000', count / 5],
  ];
}

async function latencies(server, path, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await server.get(path(i));
    times.push((performance.now() - t0) * 1e6);
  }
  return times;
}

export async function run({ quick, log }) {
  const sourceCount = quick ? 100 : 1000;
  const count = quick ? 50 : 500;
  const server = new Notifier();
  await server.start();
  const sources = new SimulatedSources({ endpoint: server.endpoint, count: sourceCount, triples: TRIPLES_PER_SOURCE, intervalMs: 100_000 });
  await sources.sendAll();
  const held = sourceCount * TRIPLES_PER_SOURCE;
  await waitFor('the simulated registrations', async () => (await server.status()).sizes.registrations === held);
  const queries = queriesFor(sourceCount, count);

  const idle = [];
  for (const [, path, n] of queries) idle.push(await latencies(server, path, n));

  const floods = Array.from({ length: INGEST_SENDERS }, () => new Child(program('bench-flood'), [server.endpoint, '100000000', String(INGEST_RATE_PER_SENDER)], { label: 'bench-flood' }));
  await sleep(1000);
  const loaded = [];
  const ingestRates = [];
  for (const [label, path, n] of queries) {
    const before = { at: performance.now(), count: messagesTakenIn(await server.status()) };
    loaded.push(await latencies(server, path, n));
    const after = { at: performance.now(), count: messagesTakenIn(await server.status()) };
    ingestRates.push((after.count - before.count) / ((after.at - before.at) / 1000));
    log(`  ${label}: ingest ${ingestRates.at(-1).toFixed(0)} msgs/s taken in meanwhile`);
  }
  await Promise.all(floods.map((f) => f.stop()));
  sources.close();
  await server.stop();

  const rows = [];
  queries.forEach(([label, , n], q) => {
    for (const [p, name] of [[50, 'p50'], [99, 'p99']]) {
      rows.push({
        section: SECTION,
        measure: `${label}, ${name}`,
        value: percentile(loaded[q], p),
        unit: 'ns',
        vs: [{ label: 'no ingest', value: percentile(idle[q], p) }],
        note: p === 50 ? `${n} sequential queries; ingest taken in meanwhile ${ingestRates[q].toFixed(0)} msgs/s of ${INGEST_SENDERS * INGEST_RATE_PER_SENDER} offered${q === 0 ? `; ${held} registrations held` : ''}` : '',
      });
    }
  });
  return rows;
}
