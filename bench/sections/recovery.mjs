// SPDX-License-Identifier: GPL-3.0-or-later
// Section 6: recovery. Simulated sources (bench/lib/sources.mjs) heartbeat their sets through
// restarts of the notifier, as the library does, but never resync: they stand for many
// thousands of processes, and for a library without resync. Real library senders
// (mapistore-mgmt-send) then show the resync on connect after a kill -9 that lost the state
// directory. Each time is counted from the signal that stops the notifier until its table again
// holds every source and every registration.
import { rmSync } from 'node:fs';
import { Notifier } from '../lib/notifier.mjs';
import { program } from '../lib/paths.mjs';
import { Child } from '../lib/processes.mjs';
import { SimulatedSources } from '../lib/sources.mjs';
import { waitFor } from '../lib/wait.mjs';

const SECTION = '6 recovery';
const TRIPLES_PER_SOURCE = 5;
const LIBRARY_TRIPLES_PER_SENDER = 50;

async function tableMatches(server, expected) {
  const { sizes } = await server.status();
  return sizes.sources === expected.sources && sizes.registrations === expected.registrations;
}

/** Stops the notifier with `stop`, starts it again, and times the outage until the table matches. */
async function restart(server, stop, expected, intervalMs, everyMs = 20) {
  const t0 = performance.now();
  await stop();
  const startMs = await server.start();
  const stoppedMs = performance.now() - t0 - startMs;
  await waitFor('the table to match the sources', () => tableMatches(server, expected), { timeoutMs: 10 * intervalMs + 30_000, everyMs });
  return { totalMs: performance.now() - t0, stoppedMs, startMs };
}

async function killAndLoseState(server) {
  await server.kill9();
  rmSync(server.stateDir, { recursive: true, force: true });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Real library senders (mapistore-mgmt-send, each holding its triples) on a notifier of their
 * own, killed with kill -9 and started on an empty state directory `rounds` times: the table
 * can match before the senders' next heartbeat only by their resync on connect.
 */
async function libraryResync({ senderCount, intervalMs, rounds, emptyStartMs }) {
  const server = new Notifier();
  await server.start();
  const senders = [];
  for (let i = 0; i < senderCount; i++) {
    const steps = [];
    for (let k = 0; k < LIBRARY_TRIPLES_PER_SENDER; k++) steps.push('register', `lib${i}-${k}`, 'SOGo', `lib${i}-${k}`);
    senders.push(new Child(program('mapistore-mgmt-send'), ['--endpoint', server.endpoint, '--heartbeat-ms', String(intervalMs), ...steps, 'hold'], { label: `library sender ${i}` }));
  }
  await Promise.all(senders.map((sender) => sender.waitForOutput(/^holding$/m)));
  const expected = { sources: senderCount, registrations: senderCount * LIBRARY_TRIPLES_PER_SENDER };
  await waitFor('the library senders in the table', () => tableMatches(server, expected), { timeoutMs: 30_000 });

  const runs = [];
  for (let round = 0; round < rounds; round++) {
    const r = await restart(server, () => killAndLoseState(server), expected, intervalMs, 2);
    const { counters } = await server.status();
    runs.push({ ...r, afterStartMs: r.totalMs - r.stoppedMs - r.startMs, heartbeats: counters.messages.heartbeat?.applied ?? 0 });
  }
  for (const sender of senders) sender.signal('SIGTERM');
  await Promise.all(senders.map((sender) => sender.exited));
  await server.stop();

  const typical = runs.find((r) => r.totalMs === median(runs.map((x) => x.totalMs)));
  const fraction = (ms) => (ms / intervalMs).toFixed(2);
  return {
    section: SECTION,
    measure: 'kill -9, state directory lost (library senders: resync on connect) -> table matches',
    value: typical.totalMs,
    unit: 'ms',
    vs: [
      { label: 'empty notifier start', value: emptyStartMs },
      { label: 'heartbeat interval', value: intervalMs },
    ],
    note: `${senderCount} mapistore-mgmt-send x ${LIBRARY_TRIPLES_PER_SENDER}; median of ${rounds} (${runs.map((r) => fraction(r.totalMs)).join(', ')} of the interval); ` +
      `starting took ${typical.startMs.toFixed(0)} ms, then the table matched ${typical.afterStartMs.toFixed(0)} ms after the notifier answered (${fraction(typical.afterStartMs)} of the interval); ` +
      `heartbeats applied after each restart: ${runs.map((r) => r.heartbeats).join(', ')}`,
  };
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
    ['kill -9, state directory lost (simulated sources: heartbeats only)', () => killAndLoseState(server)],
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
  rows.push(await libraryResync({ senderCount: quick ? 4 : 20, intervalMs, rounds: quick ? 1 : 5, emptyStartMs }));
  return rows;
}
