// SPDX-License-Identifier: GPL-3.0-or-later
// Section 2: the call never blocks. The slowest calls out of many, with no notifier at all,
// with a bare receiver that bound its socket and never reads, and with a real notifier frozen
// by SIGSTOP, beside a live receiver; and the slowest call while the library builds heartbeats
// of a million triples, beside the same calls with no heartbeat due.
import { join } from 'node:path';
import { Notifier } from '../lib/notifier.mjs';
import { makeTempDir, program } from '../lib/paths.mjs';
import { Child, runJson } from '../lib/processes.mjs';
import { timeCalls } from './call-cost.mjs';

const SECTION = '2 never blocks';

async function intoStoppedNotifier(count) {
  const server = new Notifier();
  await server.start();
  server.process.signal('SIGSTOP');
  try {
    return await runJson(program('bench-call-cost'), ['lib', '0', String(count), server.endpoint]);
  } finally {
    server.process.signal('SIGCONT');
    await server.stop();
  }
}

/** bench-big-heartbeat against a draining bench-pull-sink. */
async function duringBigHeartbeats(triples, calls) {
  const endpoint = `ipc://${join(makeTempDir(), 'sink.sock')}`;
  const sink = new Child(program('bench-pull-sink'), ['count', endpoint], { label: 'bench-pull-sink count' });
  await sink.waitForOutput(/"bound":true/);
  try {
    return await runJson(program('bench-big-heartbeat'), [String(triples), String(calls), '20', endpoint]);
  } finally {
    await sink.stop();
  }
}

export async function run({ quick }) {
  const count = quick ? 50_000 : 1_000_000;
  const live = await timeCalls('lib', 0, count, 'count');
  const cases = [
    ['no notifier', await timeCalls('lib', 0, count, 'none')],
    ['receiver never reads', await timeCalls('lib', 0, count, 'stall')],
    ['notifier stopped (SIGSTOP)', await intoStoppedNotifier(count)],
  ];
  const rows = [];
  for (const [label, result] of cases) {
    for (const [stat, name] of [['max', 'max'], ['p999', 'p99.9']]) {
      rows.push({
        section: SECTION,
        measure: `${label}, ${name}`,
        value: result[stat],
        unit: 'ns',
        vs: [{ label: 'live receiver', value: live[stat] }],
        note: stat === 'max' ? `${count} calls, ${result.refused} refused (queue full) vs ${live.refused} live` : '',
      });
    }
  }
  const triples = quick ? 100_000 : 1_000_000;
  const big = await duringBigHeartbeats(triples, quick ? 2_000 : 20_000);
  const label = `${triples.toLocaleString('en')}-triple heartbeat being built`;
  for (const [stat, name] of [['max_own', 'max not preempted'], ['max', 'max'], ['p999', 'p99.9']]) {
    rows.push({
      section: SECTION,
      measure: `${label}, ${name}`,
      value: big.heartbeat[stat],
      unit: 'ns',
      vs: [{ label: 'no heartbeat due', value: big.quiet[stat] }],
      note: stat === 'max_own'
        ? `one call every 20 µs; ${big.heartbeat.n} calls while ${big.heartbeats} heartbeats were built and sent, ${big.quiet.n} with none due`
        : '',
    });
  }
  return rows;
}
