// Section 2: the call never blocks. The slowest calls out of many, with no notifier at all and
// with a receiver that bound its socket and stopped reading, beside a live receiver.
import { timeCalls } from './call-cost.mjs';

const SECTION = '2 never blocks';

export async function run({ quick }) {
  const count = quick ? 50_000 : 1_000_000;
  const live = await timeCalls('lib', 0, count, 'count');
  const cases = [
    ['no notifier', await timeCalls('lib', 0, count, 'none')],
    ['stalled receiver', await timeCalls('lib', 0, count, 'stall')],
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
