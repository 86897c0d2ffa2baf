// SPDX-License-Identifier: GPL-3.0-or-later
// Section 5: query latency while the notifier ingests as fast as it can, beside the same
// queries on an idle notifier. The table holds registrations of simulated sources; the ingest
// comes from real C processes calling the library as fast as it accepts (bench-flood, no rate),
// so the receive loop always has frames waiting. The notifier's ingest rate is measured alone
// (no queries) and while each kind of query runs, so the cost of answering shows too. Queries
// go over one kept-alive connection of a minimal client (lean-http.mjs), one after the other.
// Beside them: the event loop's delay inside the notifier while the two lookups run (a probe,
// bench/js/loop-delay-probe.mjs), and what the lookups cost in process, on the same table.
import { join } from 'node:path';
import { LeanHttpClient } from '../lib/lean-http.mjs';
import { program, ROOT } from '../lib/paths.mjs';
import { Child } from '../lib/processes.mjs';
import { LOOP_DELAY_PROBE, messagesTakenIn, Notifier } from '../lib/notifier.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { percentile } from '../lib/stats.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const SECTION = '5 queries under load';
const TRIPLES_PER_SOURCE = 10;
const INGEST_SENDERS = 2;
/** How long the ingest rate is sampled with no queries. */
const INGEST_ALONE_MS = 3000;
/** In-process lookups timed per kind (after as many to warm up). */
const LOOKUPS = 200_000;

/** [label, path of the i-th query, how many queries] */
function queriesFor(sourceCount, count) {
  const pick = (i) => `sim${(i * 7919) % sourceCount}-${i % TRIPLES_PER_SOURCE}`;
  return [
    ['GET /v1/registered-users', (i) => `/v1/registered-users?backend=SOGo&vuser=${pick(i)}`, count],
    ['GET /v1/users?username=', (i) => `/v1/users?username=${pick(i)}`, count],
    ['GET /v1/users (a page of 1000)', () => '/v1/users?limit=1000', count / 5],
  ];
}

async function latencies(client, path, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await client.get(path(i));
    times.push((performance.now() - t0) * 1e6);
  }
  return times;
}

/** The sum of the receive slices (seconds the receive loop held the event loop) and the backlog. */
async function receiveLoop(server) {
  const text = await server.get('/metrics');
  const value = (name) => Number(text.match(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm'))?.[1]);
  return { busySeconds: value('mapistore_mgmt_receive_slice_seconds_sum'), backlogSeconds: value('mapistore_mgmt_receive_backlog_seconds') };
}

/** A point of the ingest: when, messages taken in so far, receive-loop time so far. */
async function mark(server) {
  const count = messagesTakenIn(await server.status());
  const { busySeconds, backlogSeconds } = await receiveLoop(server);
  return { at: performance.now(), count, busySeconds, backlogSeconds };
}

/** Ingest rate (msg/s) and the share of the time the receive loop held the event loop, between two marks. */
function between(before, after) {
  const seconds = (after.at - before.at) / 1000;
  return { rate: (after.count - before.count) / seconds, busy: (after.busySeconds - before.busySeconds) / seconds, backlogSeconds: after.backlogSeconds };
}

/**
 * The two lookups' cost in this process, on a table like the notifier's (the simulated sources'
 * registrations): mean ns per call over LOOKUPS calls, the username one as the route makes it.
 */
async function lookupCost(sourceCount) {
  const { RegistrationTable } = await import(join(ROOT, 'dist', 'table', 'table.js'));
  const table = new RegistrationTable({
    limits: { maxSources: sourceCount, maxRegistrationsPerSource: TRIPLES_PER_SOURCE },
    lease: { defaultIntervalMs: 3_600_000, multiplier: 3, minLeaseMs: 1000, maxLeaseMs: 24 * 3_600_000 },
  });
  for (let s = 0; s < sourceCount; s++) {
    const entries = Array.from({ length: TRIPLES_PER_SOURCE }, (_, k) => ({ backend: 'SOGo', username: `sim${s}-${k}`, vuser: `sim${s}-${k}`, replicaGuid: '00112233-4455-6677-8899-aabbccddeeff', replId: 1, count: 1 }));
    table.apply({ kind: 'heartbeat', source: { host: 'bench', pid: 1000 + s, epoch: (0xabc0000 + s).toString(16).padStart(16, '0') }, seq: 1n, intervalMs: 3_600_000, dropped: 0n, entries });
  }
  const names = Array.from({ length: 1024 }, (_, i) => `sim${(i * 7919) % sourceCount}-${i % TRIPLES_PER_SOURCE}`);
  const time = (lookup) => {
    let found = 0;
    for (let i = 0; i < LOOKUPS; i++) found += lookup(names[i & 1023]);
    const t0 = performance.now();
    for (let i = 0; i < LOOKUPS; i++) found += lookup(names[i & 1023]);
    const ns = ((performance.now() - t0) * 1e6) / LOOKUPS;
    if (found !== 2 * LOOKUPS) throw new Error(`the in-process lookups found ${found} rows, expected ${2 * LOOKUPS}`);
    return ns;
  };
  return {
    registeredUsers: time((name) => table.registeredUsers('SOGo', name).length),
    usersByUsername: time((name) => table.usersPage({ username: name }, undefined, 500, 20_000).rows.length),
  };
}

/** A loop-delay window's sample count, longest delay and garbage collections. */
const describeWindow = (w) =>
  `${w.count} samples, max ${w.max.toFixed(2)} ms, ${w.gc.scavenges} scavenges (longest ${w.gc.scavengeMaxMs.toFixed(2)} ms, ${w.gc.scavengeMs.toFixed(0)} ms in all), ${w.gc.others} other collections (longest ${w.gc.othersMaxMs.toFixed(2)} ms)`;

const describeIngest = (ingest) => `${(ingest.rate / 1000).toFixed(0)} k msg/s taken in, receive loop busy ${(100 * ingest.busy).toFixed(0)}% of the time, backlog ${(ingest.backlogSeconds * 1000).toFixed(0)} ms at the end`;

export async function run({ quick, log }) {
  const sourceCount = quick ? 100 : 1000;
  const count = quick ? 50 : 500;
  const server = new Notifier({ nodeArgs: LOOP_DELAY_PROBE });
  await server.start();
  const sources = new SimulatedSources({ endpoint: server.endpoint, count: sourceCount, triples: TRIPLES_PER_SOURCE, intervalMs: 100_000 });
  await sources.sendAll();
  const held = sourceCount * TRIPLES_PER_SOURCE;
  await waitFor('the simulated registrations', async () => (await server.status()).sizes.registrations === held);
  const queries = queriesFor(sourceCount, count);
  const client = new LeanHttpClient(server.url);

  // The loop-delay window spans the two lookups (the first two kinds), idle and under ingest.
  const idle = [];
  await server.loopDelay();
  for (const [, path, n] of queries) {
    idle.push(await latencies(client, path, n));
    if (idle.length === 2) idle.loopDelay = await server.loopDelay();
  }

  const floods = Array.from({ length: INGEST_SENDERS }, () => new Child(program('bench-flood'), [server.endpoint, '1000000000'], { label: 'bench-flood' }));
  const start = messagesTakenIn(await server.status());
  await waitFor('the flood to arrive', async () => messagesTakenIn(await server.status()) > start + 10_000);
  // The ingest alone over a sampling period (a measurement window, not a wait for an event).
  const aloneFrom = await mark(server);
  await sleep(INGEST_ALONE_MS);
  const alone = between(aloneFrom, await mark(server));
  log(`  no queries: ${describeIngest(alone)}`);
  const loaded = [];
  const ingests = [];
  await server.loopDelay();
  for (const [label, path, n] of queries) {
    const before = await mark(server);
    loaded.push(await latencies(client, path, n));
    if (loaded.length === 2) loaded.loopDelay = await server.loopDelay();
    ingests.push(between(before, await mark(server)));
    log(`  ${label}: ${describeIngest(ingests.at(-1))}`);
  }
  await Promise.all(floods.map((f) => f.stop()));
  client.close();
  sources.close();
  await server.stop();

  const rows = [
    {
      section: SECTION,
      measure: `max ingest, no queries (${INGEST_SENDERS} senders)`,
      value: alone.rate,
      unit: 'msg/s',
      note: `${describeIngest(alone)}; ${held} registrations held`,
    },
  ];
  queries.forEach(([label, , n], q) => {
    for (const [p, name] of [[50, 'p50'], [99, 'p99']]) {
      rows.push({
        section: SECTION,
        measure: `${label}, ${name}`,
        value: percentile(loaded[q], p),
        unit: 'ns',
        vs: [{ label: 'no ingest', value: percentile(idle[q], p) }],
        note: p === 50 ? `${n} sequential queries at max ingest; meanwhile ${describeIngest(ingests[q])}` : '',
      });
    }
  });
  const [busy, calm] = [loaded.loopDelay, idle.loopDelay];
  for (const [p, name] of [['p50', 'p50'], ['p99', 'p99']]) {
    rows.push({
      section: SECTION,
      measure: `event-loop delay in the notifier during the two lookups, ${name}`,
      value: busy[p] * 1e6,
      unit: 'ns',
      vs: [{ label: 'no ingest', value: calm[p] * 1e6 }],
      note:
        p === 'p50'
          ? `how late a 1 ms timer fired (monitorEventLoopDelay, resolution subtracted): what a request that is ready waits for; ` +
            `at max ingest ${describeWindow(busy)}; idle ${describeWindow(calm)}`
          : '',
    });
  }
  const cost = await lookupCost(sourceCount);
  rows.push(
    { section: SECTION, measure: 'table.registeredUsers in process, mean', value: cost.registeredUsers, unit: 'ns', note: `${LOOKUPS} calls on a table of ${held} registrations, in the benchmark's process` },
    { section: SECTION, measure: 'table.usersPage({ username }) in process, mean', value: cost.usersByUsername, unit: 'ns', note: 'the same; as GET /v1/users?username= calls it' },
  );
  return rows;
}
