// SPDX-License-Identifier: GPL-3.0-or-later
// Section 8: saving and restoring the table. In process, on the built modules: a table of
// 100 k and 1 M registrations (sources of 10 000 triples, the default per-source limit) is saved
// as the notifier saves it (in slices, yielding between them) while a monitor records the event
// loop's longest pause; beside it, the one-shot save earlier versions made (JSON.stringify of
// the whole table, then a synchronous write), whose whole length was one pause.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { makeTempDir, ROOT } from '../lib/paths.mjs';

const SECTION = '8 state saves';
const TRIPLES_PER_SOURCE = 10_000;
const GUID = '00112233-4455-6677-8899-aabbccddeeff';

async function load() {
  const dist = (path) => import(join(ROOT, 'dist', path));
  const [{ RegistrationTable }, stateFile, store] = await Promise.all([dist('table/table.js'), dist('server/state-file.js'), dist('server/table-store.js')]);
  return { RegistrationTable, stateFile, store };
}

function buildTable(RegistrationTable, registrations) {
  const sources = Math.ceil(registrations / TRIPLES_PER_SOURCE);
  const perSource = registrations / sources;
  const options = {
    limits: { maxSources: sources, maxRegistrationsPerSource: TRIPLES_PER_SOURCE },
    lease: { defaultIntervalMs: 3_600_000, multiplier: 3, minLeaseMs: 1000, maxLeaseMs: 24 * 3_600_000 },
  };
  const table = new RegistrationTable(options);
  for (let s = 0; s < sources; s++) {
    const entries = Array.from({ length: perSource }, (_, k) => {
      const name = `user${s}-${k}@example.org`;
      return { backend: 'SOGo', username: name, vuser: name, replicaGuid: GUID, replId: 1, count: 1 };
    });
    const source = { host: 'bench.example.org', pid: 1000 + s, epoch: (0xabc0000 + s).toString(16).padStart(16, '0') };
    table.apply({ kind: 'heartbeat', source, seq: 1n, intervalMs: 3_600_000, dropped: 0n, entries });
  }
  return { table, options, sources };
}

/** Runs `work` and returns its duration, the event loop's longest pause and longest GC pause meanwhile, in ms. */
async function timed(work) {
  let longestGc = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const monitor = monitorEventLoopDelay({ resolution: 1 });
  // Something must want the loop for a pause to be seen: a 1 ms timer stands in for ingest and HTTP.
  let longestGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  monitor.enable();
  const t0 = performance.now();
  await work();
  const duration = performance.now() - t0;
  const tail = performance.now() - last;
  clearInterval(ticker);
  monitor.disable();
  await new Promise((resolve) => setImmediate(resolve)); // let the observer deliver
  gc.disconnect();
  return { duration, pause: Math.max(longestGap, tail, monitor.max / 1e6), longestGc };
}

export async function run({ quick, log }) {
  const { RegistrationTable, stateFile, store } = await load();
  const sizes = quick ? [20_000] : [100_000, 1_000_000];
  const rows = [];
  for (const registrations of sizes) {
    const label = registrations >= 1e6 ? `${registrations / 1e6}M` : `${registrations / 1e3}k`;
    const { table, options, sources } = buildTable(RegistrationTable, registrations);
    const dir = makeTempDir();
    const path = join(dir, 'table.json');
    const sliced = await timed(() => stateFile.writeStateFile(path, table.stateHeader(), 'sources', table.savedSourcesJson()));
    const oneShot = await timed(async () => writeFileSync(join(dir, 'one-shot.json'), JSON.stringify(table.toState())));
    const silent = { info() {}, error() {} };
    let restored;
    const restore = await timed(async () => {
      restored = await store.restoreTable(path, options, silent);
    });
    if (restored.registrationCount !== registrations) throw new Error(`restored ${restored.registrationCount} of ${registrations} registrations`);
    log(`  ${label}: save ${sliced.duration.toFixed(0)} ms (longest pause ${sliced.pause.toFixed(1)} ms, longest GC ${sliced.longestGc.toFixed(1)} ms), one-shot ${oneShot.duration.toFixed(0)} ms, restore ${restore.duration.toFixed(0)} ms`);
    rows.push(
      {
        section: SECTION,
        measure: `save, ${label} registrations: event loop's longest pause`,
        value: sliced.pause,
        unit: 'ms',
        vs: [{ label: 'one-shot JSON.stringify + write', value: oneShot.pause }],
        note: `${sources} sources x ${registrations / sources} triples; a 1 ms timer wants the loop throughout; longest GC pause meanwhile ${sliced.longestGc.toFixed(1)} ms`,
      },
      {
        section: SECTION,
        measure: `save, ${label} registrations: duration`,
        value: sliced.duration,
        unit: 'ms',
        vs: [{ label: 'one-shot JSON.stringify + write', value: oneShot.duration }],
        note: 'start to durable rename (temp file, fsync, rename, fsync of the directory)',
      },
      {
        section: SECTION,
        measure: `restore, ${label} registrations`,
        value: restore.duration,
        unit: 'ms',
        note: 'read line by line, checked, before the notifier is ready (blocks by design)',
      },
    );
  }
  return rows;
}
