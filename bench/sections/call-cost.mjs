// Section 1: what one register call costs the backend, beside a raw zmq_send and a POSIX
// mq_send of the same bytes, back to back and isolated (one call every 50 µs, every 1 ms).
import { join } from 'node:path';
import { makeTempDir, program } from '../lib/paths.mjs';
import { Child, runJson } from '../lib/processes.mjs';

const SECTION = '1 cost of a call';
const PATTERNS = [
  { label: 'back to back', intervalUs: 0, full: 200_000, quick: 20_000 },
  { label: 'every 50 µs', intervalUs: 50, full: 20_000, quick: 2_000 },
  { label: 'every 1 ms', intervalUs: 1000, full: 3_000, quick: 200 },
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

export async function run({ quick }) {
  const rows = [];
  for (const pattern of PATTERNS) {
    const count = quick ? pattern.quick : pattern.full;
    const lib = await timeCalls('lib', pattern.intervalUs, count);
    const zmq = await timeCalls('zmq', pattern.intervalUs, count);
    const mq = await timeCalls('mq', pattern.intervalUs, count);
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
        note: stat === 'p50' ? `${count} calls; ${refused}; clock pair ${lib.clock_ns} ns included` : '',
      });
    }
  }
  return rows;
}
