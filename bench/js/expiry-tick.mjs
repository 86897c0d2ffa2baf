// SPDX-License-Identifier: GPL-3.0-or-later
// The cost of one expiry tick that expires nobody (src/server/expiry.ts: every 50 ms at the
// default leases), over a table of N sources each holding one registration. Run after
// `npm run build:ts`: `node bench/js/expiry-tick.mjs [sources] [ticks]`. Prints the median, the
// 99th percentile and the slowest tick, in microseconds: with the table's bound on the earliest
// deadline, the slowest is its one walk (at the short lease the new sources were taken in with,
// 5 s in, the walk's first run, not yet optimised), which sets the bound to the leases' end.
import { RegistrationTable } from '../../dist/table/table.js';

const sources = Number(process.argv[2] ?? 100_000);
const ticks = Number(process.argv[3] ?? 200);
const clock = { now: 1_000_000 };
const table = new RegistrationTable({
  limits: { maxSources: sources, maxRegistrationsPerSource: 10 },
  lease: { defaultIntervalMs: 5000, multiplier: 3, minLeaseMs: 30, maxLeaseMs: 300_000, emptyLeaseMs: 5000 },
  now: () => clock.now,
});
for (let pid = 1; pid <= sources; pid++) {
  const source = { host: 'mail', pid, epoch: '0000000000000001' };
  const command = { backend: 'SOGo', username: `u${pid}`, vuser: `u${pid}`, replicaGuid: '00112233-4455-6677-8899-aabbccddeeff', replId: 1 };
  table.apply({ kind: 'heartbeat', source, seq: 1n, intervalMs: 5000, dropped: 0n, entries: [{ ...command, count: 1 }] });
}
// One walk first (as the first tick would), then ticks 50 ms apart.
table.expire();
const samples = [];
for (let i = 0; i < ticks; i++) {
  clock.now += 50; // 200 ticks stay within the 15 s lease: no tick expires anyone
  const start = process.hrtime.bigint();
  const expired = table.expire();
  samples.push(Number(process.hrtime.bigint() - start) / 1000);
  if (expired.length > 0) throw new Error('a tick expired a source');
}
samples.sort((a, b) => a - b);
const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(2);
console.log(`${sources} sources, ${ticks} ticks: median ${at(0.5)} µs, p99 ${at(0.99)} µs, max ${at(1)} µs`);
