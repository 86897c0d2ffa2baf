// Section 2: the call never blocks. The slowest calls out of many, with no notifier at all,
// with a bare receiver that bound its socket and never reads, and with a real notifier frozen
// by SIGSTOP, beside a live receiver.
import { Notifier } from '../lib/notifier.mjs';
import { program } from '../lib/paths.mjs';
import { runJson } from '../lib/processes.mjs';
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
  return rows;
}
