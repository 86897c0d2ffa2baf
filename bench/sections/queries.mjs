// SPDX-License-Identifier: GPL-3.0-or-later
// Section 5: query latency while the notifier ingests as fast as it can, beside the same
// queries on an idle notifier and beside a bare node:http server that answers a constant (the
// floor of an answer from Node on this machine, idle and under the same load). The table holds
// registrations of simulated sources; the ingest comes from real C processes calling the
// library as fast as it accepts (bench-flood, no rate), so the receive loop always has frames
// waiting. The notifier's ingest rate is measured alone (no queries) and while each kind of
// query runs, so the cost of answering shows too. Queries go one after the other over one
// kept-alive connection of a C client (bench-http-latency), after a warm-up.
// Beside them: how long an event that is ready waits for the notifier's event loop while the
// two lookups run (a probe, bench/js/loop-delay-probe.mjs), the two lookups at max ingest on a
// second notifier that scavenges on its main thread alone (VARIANT_FLAG), the CPU the
// notifier's main thread spends per lookup, and what the lookups cost in process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, program, ROOT } from '../lib/paths.mjs';
import { Child, runJson } from '../lib/processes.mjs';
import { LOOP_DELAY_PROBE, messagesTakenIn, Notifier } from '../lib/notifier.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const SECTION = '5 queries under load';
const TRIPLES_PER_SOURCE = 10;
const INGEST_SENDERS = 2;
/** How long the ingest rate is sampled with no queries. */
const INGEST_ALONE_MS = 3000;
/** In-process lookups timed per kind (after as many to warm up). */
const LOOKUPS = 200_000;
/** Node flag of the second notifier: young-generation collections on the main thread alone. */
const VARIANT_FLAG = '--no-parallel-scavenge';
/** The bare server's answer: what every query is compared with. */
const CONSTANT_SERVER = join(import.meta.dirname, '..', 'js', 'constant-http.mjs');

/** [label, path of the i-th query, how many queries]; the bare server's path last. */
function queriesFor(sourceCount, count) {
  const pick = (i) => `sim${(i * 7919) % sourceCount}-${i % TRIPLES_PER_SOURCE}`;
  return [
    ['GET /v1/registered-users', (i) => `/v1/registered-users?backend=SOGo&vuser=${pick(i)}`, count],
    ['GET /v1/users?username=', (i) => `/v1/users?username=${pick(i)}`, count],
    ['GET /v1/users (a page of 1000)', () => '/v1/users?limit=1000', count / 10],
  ];
}

/**
 * Times `count` GETs of the paths in `pathsFile` (one after the other, after as many not timed,
 * asked by a first run of the client) with the C client: {n, p50, p99, p999, max, mean}
 * in ns, and `cpuNs`, the CPU time the main thread of the server (`pid`) spent meanwhile.
 */
async function latencies(url, pid, pathsFile, count) {
  const { hostname, port } = new URL(url);
  const client = (n) => runJson(program('bench-http-latency'), [hostname, port, pathsFile, String(n)], { label: 'bench-http-latency' });
  await client(count);
  const cpuBefore = mainThreadCpuNs(pid);
  const result = await client(count);
  return { ...result, cpuNs: mainThreadCpuNs(pid) - cpuBefore };
}

/** CPU time (ns) the main thread of process `pid` has run: the event loop's thread. */
function mainThreadCpuNs(pid) {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
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

/** A loop-delay window's sample count, longest wait and garbage collections. */
const describeWindow = (w) =>
  `${w.count} samples, max ${w.max.toFixed(2)} ms, ${w.gc.scavenges} scavenges (longest ${w.gc.scavengeMaxMs.toFixed(2)} ms, ${w.gc.scavengeMs.toFixed(0)} ms in all), ${w.gc.others} other collections (longest ${w.gc.othersMaxMs.toFixed(2)} ms)`;

const describeIngest = (ingest) => `${(ingest.rate / 1000).toFixed(0)} k msg/s taken in, receive loop busy ${(100 * ingest.busy).toFixed(0)}% of the time, backlog ${(ingest.backlogSeconds * 1000).toFixed(0)} ms at the end`;

/** The bare server, started; resolves with its URL. */
async function startConstantServer() {
  const child = new Child(process.execPath, [CONSTANT_SERVER], { label: 'constant-http' });
  const [, url] = await child.waitForOutput(/listening at (http:\/\/\S+)/);
  return { child, url };
}

/** A notifier (with the probe and `nodeArgs`) holding the simulated sources' registrations. */
async function loadedNotifier(nodeArgs, sourceCount) {
  const server = new Notifier({ nodeArgs: [...LOOP_DELAY_PROBE, ...nodeArgs] });
  await server.start();
  const sources = new SimulatedSources({ endpoint: server.endpoint, count: sourceCount, triples: TRIPLES_PER_SOURCE, intervalMs: 100_000 });
  await sources.sendAll();
  await waitFor('the simulated registrations', async () => (await server.status()).sizes.registrations === sourceCount * TRIPLES_PER_SOURCE);
  return { server, sources };
}

/** The senders of the maximum ingest, started; resolves once their messages arrive. */
async function startFloods(server) {
  const floods = Array.from({ length: INGEST_SENDERS }, () => new Child(program('bench-flood'), [server.endpoint, '1000000000'], { label: 'bench-flood' }));
  const start = messagesTakenIn(await server.status());
  await waitFor('the flood to arrive', async () => messagesTakenIn(await server.status()) > start + 10_000);
  return floods;
}

/**
 * The two lookups at max ingest on a second notifier started with VARIANT_FLAG, after the first
 * one is gone: the same registrations, senders, client and counts. Each lookup's result as
 * `latencies` gives it, and the probe's window over both.
 */
async function variantLookups(sourceCount, lookups) {
  const { server, sources } = await loadedNotifier([VARIANT_FLAG], sourceCount);
  const floods = await startFloods(server);
  await server.loopDelay();
  const results = [];
  for (const query of lookups) results.push(await latencies(server.url, server.process.pid, query.file, query.n));
  results.loopDelay = await server.loopDelay();
  await Promise.all(floods.map((f) => f.stop()));
  sources.close();
  await server.stop();
  return results;
}

export async function run({ quick, log }) {
  const sourceCount = quick ? 100 : 1000;
  const count = quick ? 200 : 2000;
  const dir = makeTempDir('mm-bench-queries-');
  const { server, sources } = await loadedNotifier([], sourceCount);
  const bare = await startConstantServer();
  const held = sourceCount * TRIPLES_PER_SOURCE;
  const queries = queriesFor(sourceCount, count).map(([label, path, n], q) => {
    const file = join(dir, `paths-${q}.txt`);
    writeFileSync(file, `${Array.from({ length: Math.min(n, 1000) }, (_, i) => path(i)).join('\n')}\n`);
    return { label, file, n };
  });
  const bareFile = join(dir, 'paths-bare.txt');
  writeFileSync(bareFile, '/\n');

  /** The queries of every kind, then the bare server; the probe's window spans the two lookups. */
  const measure = async (after) => {
    const results = [];
    await server.loopDelay();
    for (const query of queries) {
      const before = after && (await mark(server));
      results.push(await latencies(server.url, server.process.pid, query.file, query.n));
      if (results.length === 2) {
        results.cpuPerLookup = (results[0].cpuNs + results[1].cpuNs) / (2 * count);
        results.loopDelay = await server.loopDelay();
      }
      if (after) {
        query.ingest = between(before, await after());
        log(`  ${query.label}: ${describeIngest(query.ingest)}`);
      }
    }
    results.bare = await latencies(bare.url, bare.child.pid, bareFile, count);
    return results;
  };

  const idle = await measure();
  const floods = await startFloods(server);
  // The ingest alone over a sampling period (a measurement window, not a wait for an event).
  const aloneFrom = await mark(server);
  await sleep(INGEST_ALONE_MS);
  const alone = between(aloneFrom, await mark(server));
  log(`  no queries: ${describeIngest(alone)}`);
  const loaded = await measure(() => mark(server));
  await Promise.all(floods.map((f) => f.stop()));
  sources.close();
  await Promise.all([server.stop(), bare.child.stop()]);
  const variant = await variantLookups(sourceCount, queries.slice(0, 2));

  const rows = [
    {
      section: SECTION,
      measure: `max ingest, no queries (${INGEST_SENDERS} senders)`,
      value: alone.rate,
      unit: 'msg/s',
      note: `${describeIngest(alone)}; ${held} registrations held`,
    },
  ];
  queries.forEach(({ label, n, ingest }, q) => {
    for (const [p, name] of [['p50', 'p50'], ['p99', 'p99']]) {
      rows.push({
        section: SECTION,
        measure: `${label}, ${name}`,
        value: loaded[q][p],
        unit: 'ns',
        vs: [
          { label: 'no ingest', value: idle[q][p] },
          { label: 'bare node:http, same ingest', value: loaded.bare[p] },
        ],
        note:
          p === 'p50'
            ? `${n} sequential queries at max ingest (p99.9 ${(loaded[q].p999 / 1e6).toFixed(2)} ms, max ${(loaded[q].max / 1e6).toFixed(2)} ms); meanwhile ${describeIngest(ingest)}`
            : `no ingest: p99.9 ${(idle[q].p999 / 1e6).toFixed(2)} ms, max ${(idle[q].max / 1e6).toFixed(2)} ms`,
      });
    }
  });
  for (const [p, name] of [['p50', 'p50'], ['p99', 'p99']]) {
    rows.push({
      section: SECTION,
      measure: `bare node:http server (a constant answer), ${name}`,
      value: loaded.bare[p],
      unit: 'ns',
      vs: [{ label: 'no ingest', value: idle.bare[p] }],
      note: p === 'p50' ? `${count} sequential GETs to ${CONSTANT_SERVER.replace(`${ROOT}/`, '')} while the notifier ingests; the same client` : '',
    });
  }
  queries.slice(0, 2).forEach(({ label }, q) => {
    rows.push({
      section: SECTION,
      measure: `${label}, p99, notifier started with ${VARIANT_FLAG}`,
      value: variant[q].p99,
      unit: 'ns',
      vs: [{ label: 'default (above)', value: loaded[q].p99 }],
      note:
        q === 0
          ? `the same queries at max ingest on a second notifier, started after the first; p50 ${(variant[0].p50 / 1e3).toFixed(0)} µs and ${(variant[1].p50 / 1e3).toFixed(0)} µs; ` +
            `during the two lookups ${describeWindow(variant.loopDelay)}, its p99 wait ${variant.loopDelay.p99.toFixed(2)} ms`
          : '',
    });
  });
  const [busy, calm] = [loaded.loopDelay, idle.loopDelay];
  for (const [p, name] of [['p50', 'p50'], ['p99', 'p99']]) {
    rows.push({
      section: SECTION,
      measure: `wait for the notifier's event loop during the two lookups, ${name}`,
      value: busy[p] * 1e6,
      unit: 'ns',
      vs: [{ label: 'no ingest', value: calm[p] * 1e6 }],
      note:
        p === 'p50'
          ? `from a worker thread's message to its handling, one every ms: what a request that has arrived waits for; ` +
            `at max ingest ${describeWindow(busy)}; idle ${describeWindow(calm)}`
          : '',
    });
  }
  rows.push({
    section: SECTION,
    measure: "notifier's main thread CPU per lookup, no ingest",
    value: idle.cpuPerLookup,
    unit: 'ns',
    vs: [{ label: 'bare node:http, per request', value: idle.bare.cpuNs / count }],
    note: "its CPU time (/proc/PID/schedstat) over the two lookups' timed runs, per request: parsing, routing, checks, the lookup, serialising, the write; the probe's messages (about 1.5% of a core) included",
  });
  const cost = await lookupCost(sourceCount);
  rows.push(
    { section: SECTION, measure: 'table.registeredUsers in process, mean', value: cost.registeredUsers, unit: 'ns', note: `${LOOKUPS} calls on a table of ${held} registrations, in the benchmark's process` },
    { section: SECTION, measure: 'table.usersPage({ username }) in process, mean', value: cost.usersByUsername, unit: 'ns', note: 'the same; as GET /v1/users?username= calls it' },
  );
  return rows;
}
