// SPDX-License-Identifier: GPL-3.0-or-later
// Section 7: the notifier under load. Reading a table of 1 M registrations page by page (how
// long a page holds the notifier, and the resident memory at the default --max-registrations),
// and /healthz while a flood of 10 000-entry heartbeats arrives as fast as the notifier reads.
import { Push } from 'zeromq';
import { encodeHeartbeat } from '../lib/frames.mjs';
import { Notifier } from '../lib/notifier.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { percentile } from '../lib/stats.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const SECTION = '7 load';
const PAGE_LIMIT = 1000; // the most a page may ask (src/server/query-schema.ts)
const FLOOD_ENTRIES = 10_000;

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Walks `/v1/<what>` from the first page to the last; returns each page's latency (ns) and the rows. */
async function walk(server, what) {
  const latencies = [];
  let rows = 0;
  let cursor = null;
  do {
    const { ms, value } = await timed(() => server.get(`/v1/${what}?limit=${PAGE_LIMIT}${cursor ? `&cursor=${cursor}` : ''}`));
    latencies.push(ms * 1e6);
    const page = JSON.parse(value);
    rows += page[what].length;
    cursor = page.next;
  } while (cursor !== null);
  return { latencies, rows };
}

async function paging({ quick, log }) {
  const sourceCount = quick ? 100 : 1000;
  const triples = quick ? 100 : 1000;
  const registrations = sourceCount * triples;
  const server = new Notifier({ args: ['--save-interval-ms', '3600000'] });
  await server.start();
  await sleep(1000);
  const emptyRss = await server.metric('process_resident_memory_bytes');
  const sources = new SimulatedSources({ endpoint: server.endpoint, count: sourceCount, triples, intervalMs: 3_600_000 });
  await sources.sendAll();
  await waitFor(`${registrations} registrations`, async () => (await server.status()).sizes.registrations === registrations, { timeoutMs: 600_000, everyMs: 500 });
  const rss = await server.metric('process_resident_memory_bytes');
  const users = await timed(() => walk(server, 'users'));
  const sourcePages = await walk(server, 'sources');
  const single = [];
  for (let i = 0; i < 200; i++) single.push((await timed(() => server.get(`/v1/users?username=sim${(i * 7919) % sourceCount}-${i % triples}`))).ms * 1e6);
  sources.close();
  await server.stop(120_000);
  log(`  paging ${registrations}: ${users.value.rows} rows in ${users.ms.toFixed(0)} ms, rss ${emptyRss} -> ${rss}`);
  const label = registrations >= 1e6 ? `${registrations / 1e6}M` : `${registrations / 1e3}k`;
  const pages = users.value.latencies;
  return [
    {
      section: SECTION,
      measure: `whole-table paging, ${label} registrations`,
      value: users.ms * 1e6,
      unit: 'ns',
      note: `${users.value.rows} rows in ${pages.length} pages of ${PAGE_LIMIT}`,
    },
    {
      section: SECTION,
      measure: `one page of ${PAGE_LIMIT} users at ${label}, p50 / max`,
      value: percentile(pages, 50),
      unit: 'ns',
      vs: [{ label: 'slowest page', value: Math.max(...pages) }],
      note: 'request to last byte, on the client: an upper bound on how long a page holds the event loop',
    },
    {
      section: SECTION,
      measure: `GET /v1/users?username= at ${label}, p99`,
      value: percentile(single, 99),
      unit: 'ns',
      note: `200 lookups through the username index; /v1/sources: ${sourcePages.rows} sources in ${sourcePages.latencies.length} pages, slowest ${(Math.max(...sourcePages.latencies) / 1e6).toFixed(1)} ms`,
    },
    {
      section: SECTION,
      measure: `notifier RSS at ${label} registrations`,
      value: rss,
      unit: 'B',
      vs: [{ label: 'empty notifier', value: emptyRss }],
      note: `${sourceCount} sources x ${triples} triples; ${((rss - emptyRss) / registrations).toFixed(0)} B per registration`,
    },
  ];
}

/** The byte offset of a frame's u64 sequence number (docs/protocol.md). */
const SEQ_OFFSET = 14;

/**
 * Heartbeats of FLOOD_ENTRIES entries from `count` sources, sent as fast as the notifier reads.
 * Each frame is built once and only its sequence number rewritten, so this process stays idle.
 */
function startFlood(endpoint, count) {
  const push = new Push({ sendHighWaterMark: 2, linger: 0 });
  push.connect(endpoint);
  const entries = Array.from({ length: FLOOD_ENTRIES }, (_, i) => ({ backend: 'SOGo', username: `flood${i}`, vuser: `flood${i}`, count: 1 }));
  const templates = Array.from({ length: count }, (_, i) =>
    encodeHeartbeat({ host: 'bench-flood.example.org', pid: 200_000 + i, epoch: 0xf100n + BigInt(i) }, 1, 3_600_000, entries),
  );
  let stopping = false;
  let sent = 0;
  const running = (async () => {
    for (let seq = 1n; !stopping; seq++) {
      for (const template of templates) {
        const frame = Buffer.from(template); // the socket may still hold the previous one
        frame.writeBigUInt64LE(seq, SEQ_OFFSET);
        await push.send(frame);
        sent++;
      }
    }
  })().catch(() => undefined);
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopping = true;
      push.close();
      await running;
    },
  };
}

async function healthLatencies(server, ms) {
  const latencies = [];
  const end = performance.now() + ms;
  while (performance.now() < end) latencies.push((await timed(() => server.get('/healthz'))).ms * 1e6);
  return latencies;
}

async function healthUnderFlood({ quick, log }) {
  const seconds = quick ? 3 : 20;
  const server = new Notifier({ args: ['--receive-hwm', '4'] });
  await server.start();
  const idle = await healthLatencies(server, 2000);
  const flood = startFlood(server.endpoint, 2);
  await waitFor('the flood to be read', async () => (await server.status()).counters.messages.heartbeat?.applied >= 4, { timeoutMs: 120_000 });
  const before = flood.sent;
  const loaded = await healthLatencies(server, seconds * 1000);
  const heartbeats = flood.sent - before;
  await flood.stop();
  await server.stop(60_000);
  log(`  /healthz under flood: ${loaded.length} answers, ${heartbeats} heartbeats taken meanwhile`);
  return [
    {
      section: SECTION,
      measure: `GET /healthz during a ${FLOOD_ENTRIES}-entry heartbeat flood, p99`,
      value: percentile(loaded, 99),
      unit: 'ns',
      vs: [{ label: 'no flood', value: percentile(idle, 99) }],
      note: `${loaded.length} sequential requests over ${seconds} s, slowest ${(Math.max(...loaded) / 1e6).toFixed(0)} ms; ${(heartbeats / seconds).toFixed(1)} heartbeats/s (${((heartbeats * FLOOD_ENTRIES) / seconds / 1000).toFixed(0)} k entries/s) read meanwhile`,
    },
  ];
}

export async function run(context) {
  return [...(await paging(context)), ...(await healthUnderFlood(context))];
}
