// SPDX-License-Identifier: GPL-3.0-or-later
// Run by section 4 as `node --expose-gc bench/lib/table-memory.mjs REGISTRATIONS TRIPLES_PER_SOURCE`:
// the registration table alone, in a process of its own, filled as the notifier fills it (one
// heartbeat per source, every string a fresh one as the decoder makes it), and measured after
// full collections, so its figures do not depend on when V8 collects. Prints one JSON line of
// bytes per registration: rss, heap (V8 heap in use), external (typed arrays).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from './paths.mjs';

const [registrations, perSource] = process.argv.slice(2).map(Number);
const { RegistrationTable } = await import(join(ROOT, 'dist', 'table', 'table.js'));
const GUID = '00112233-4455-6677-8899-aabbccddeeff';
const fresh = (text) => Buffer.from(text).toString();
const sources = registrations / perSource;

function collected() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage();
}

const empty = collected();
const table = new RegistrationTable({
  limits: { maxSources: sources, maxRegistrationsPerSource: perSource },
  lease: { defaultIntervalMs: 5000, multiplier: 3, minLeaseMs: 1000, maxLeaseMs: 3_600_000 },
});
for (let s = 0; s < sources; s++) {
  const entries = Array.from({ length: perSource }, (_, k) => {
    const name = `sim${s}-${k}`;
    return { backend: fresh('SOGo'), username: fresh(name), vuser: fresh(name), replicaGuid: fresh(GUID), replId: 1, count: 1 };
  });
  const source = { host: fresh('bench-sim.example.org'), pid: 100_000 + s, epoch: randomBytes(8).toString('hex') };
  table.apply({ kind: 'heartbeat', source, seq: 1n, intervalMs: 100_000, dropped: 0n, entries });
}
const held = collected();
if (table.registrationCount !== registrations) throw new Error(`the table holds ${table.registrationCount} of ${registrations}`);
const per = (field) => (held[field] - empty[field]) / registrations;
console.log(JSON.stringify({ rss: per('rss'), heap: per('heapUsed'), external: per('external') }));
