// SPDX-License-Identifier: GPL-3.0-or-later
// Section 6: recovery. Simulated sources (bench/lib/sources.mjs) heartbeat their sets through
// restarts of the notifier, as the library does; the time is counted from the signal that
// stops the notifier until its table again holds every source and every registration.
import { rmSync } from 'node:fs';
import { Notifier } from '../lib/notifier.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { waitFor } from '../lib/wait.mjs';

const SECTION = '6 recovery';
const TRIPLES_PER_SOURCE = 5;

async function tableMatches(server, expected) {
  const { sizes } = await server.status();
  return sizes.sources === expected.sources && sizes.registrations === expected.registrations;
}

/** Stops the notifier with `stop`, starts it again, and times the outage until the table matches. */
async function restart(server, stop, expected, intervalMs) {
  const t0 = performance.now();
  await stop();
  const startMs = await server.start();
  const stoppedMs = performance.now() - t0 - startMs;
  await waitFor('the table to match the sources', () => tableMatches(server, expected), { timeoutMs: 10 * intervalMs + 30_000 });
  return { totalMs: performance.now() - t0, stoppedMs, startMs };
}

export async function run({ quick, log }) {
  const sourceCount = quick ? 1000 : 10_000;
  const intervalMs = quick ? 1000 : 5000;
  const server = new Notifier({ args: ['--max-sources', String(2 * sourceCount)] });
  const emptyStartMs = await server.start();
  const sources = new SimulatedSources({ endpoint: server.endpoint, count: sourceCount, triples: TRIPLES_PER_SOURCE, intervalMs });
  sources.start(intervalMs);
  const expected = sources.expected;
  await waitFor('the first heartbeat round', () => tableMatches(server, expected), { timeoutMs: 10 * intervalMs + 30_000 });

  const cases = [
    ['graceful restart (SIGTERM)', async () => {
      const status = await server.stop();
      if (status.code !== 0) throw new Error(`the notifier's graceful shutdown exited ${JSON.stringify(status)}`);
    }],
    ['kill -9', () => server.kill9()],
    ['kill -9, state directory lost', async () => {
      await server.kill9();
      rmSync(server.stateDir, { recursive: true, force: true });
    }],
  ];
  const rows = [];
  for (const [label, stop] of cases) {
    const r = await restart(server, stop, expected, intervalMs);
    log(`  ${label}: ${r.totalMs.toFixed(0)} ms`);
    rows.push({
      section: SECTION,
      measure: `${label} -> table matches`,
      value: r.totalMs,
      unit: 'ms',
      vs: [
        { label: 'empty notifier start', value: emptyStartMs },
        { label: 'heartbeat interval', value: intervalMs },
      ],
      note: `${sourceCount} sources x ${TRIPLES_PER_SOURCE}; stopping took ${r.stoppedMs.toFixed(0)} ms, starting ${r.startMs.toFixed(0)} ms`,
    });
  }
  sources.close();
  await server.stop();
  return rows;
}
