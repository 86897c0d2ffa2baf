// SPDX-License-Identifier: GPL-3.0-or-later
// Section 1: what one register call costs the backend, beside a raw zmq_send and a POSIX
// mq_send of the same bytes, back to back and isolated (one call every 50 µs, every 1 ms).
// The three transports take turns over several rounds, so that a change in the machine's load
// touches all three; each figure is the median of the rounds' figures.
import { join } from 'node:path';
import { makeTempDir, program } from '../lib/paths.mjs';
import { Child, runJson } from '../lib/processes.mjs';
import { percentile } from '../lib/stats.mjs';

const SECTION = '1 cost of a call';
const TRANSPORTS = ['lib', 'zmq', 'mq'];
const PATTERNS = [
  { label: 'back to back', intervalUs: 0, full: 200_000, quick: 20_000 },
  { label: 'every 50 µs', intervalUs: 50, full: 20_000, quick: 2_000 },
  { label: 'every 1 ms', intervalUs: 1000, full: 5_000, quick: 200 },
];

/** Times `count` calls of `transport`; lib and zmq send to a draining bare PULL socket. */
export async function timeCalls(transport, intervalUs, count, receiver = 'count') {
  const endpoint = `ipc://${join(makeTempDir(), 'sink.sock')}`;
  let sink;
  if (transport !== 'mq' && receiver !== 'none') {
    sink = new Child(program('bench-pull-sink'), [receiver, endpoint], { label: `bench-pull-sink ${receiver}` });
    await sink.waitForOutput(/"bound":true/);
  }
  try {
    const result = await runJson(program('bench-call-cost'), [transport, String(intervalUs), String(count), endpoint]);
    if (result.failed > 0) throw new Error(`${result.failed} ${transport} calls failed`);
    return result;
  } finally {
    await sink?.stop();
  }
}

const percent = (part, whole) => `${((100 * part) / whole).toFixed(0)}%`;

/** Each transport's results over `rounds` turns: the median of each statistic, refusals summed. */
async function inTurns(intervalUs, count, rounds) {
  const runs = Object.fromEntries(TRANSPORTS.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    for (const t of TRANSPORTS) runs[t].push(await timeCalls(t, intervalUs, Math.ceil(count / rounds)));
  }
  const merge = (results) => ({
    p50: percentile(results.map((r) => r.p50), 50),
    p99: percentile(results.map((r) => r.p99), 50),
    n: results.reduce((sum, r) => sum + r.n, 0),
    refused: results.reduce((sum, r) => sum + r.refused, 0),
    clock_ns: results[0].clock_ns,
  });
  return TRANSPORTS.map((t) => merge(runs[t]));
}

export async function run({ quick }) {
  const rounds = quick ? 1 : 5;
  const rows = [];
  for (const pattern of PATTERNS) {
    const count = quick ? pattern.quick : pattern.full;
    const [lib, zmq, mq] = await inTurns(pattern.intervalUs, count, rounds);
    const refused = `refused: ours ${percent(lib.refused, lib.n)}, zmq ${percent(zmq.refused, zmq.n)}, mq ${percent(mq.refused, mq.n)}`;
    for (const [stat, name] of [['p50', 'median'], ['p99', 'p99']]) {
      rows.push({
        section: SECTION,
        measure: `register_user, ${pattern.label}, ${name}`,
        value: lib[stat],
        unit: 'ns',
        vs: [
          { label: 'zmq_send (DONTWAIT)', value: zmq[stat] },
          { label: 'mq_send (O_NONBLOCK)', value: mq[stat] },
        ],
        note: stat === 'p50' ? `${lib.n} calls each${rounds > 1 ? `, median of ${rounds} rounds` : ''}; ${refused}; clock pair ${lib.clock_ns} ns included` : '',
      });
    }
  }
  return rows;
}
