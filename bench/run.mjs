#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the benchmark sections, prints one table and saves it as JSON under bench/results/.
//
//   node bench/run.mjs [--quick] [--only 1,3]
//
// --quick: small counts (about a minute in all); it checks that every section runs, nothing
// about speed. The exit code is 1 when a section could not run. docs/benchmarks.md explains
// every row.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS, removeTempDirs } from './lib/paths.mjs';
import { killAll } from './lib/processes.mjs';
import { render } from './lib/table.mjs';
import * as callCost from './sections/call-cost.mjs';
import * as curve from './sections/curve.mjs';
import * as neverBlocks from './sections/never-blocks.mjs';
import * as newmail from './sections/newmail.mjs';
import * as ingest from './sections/ingest.mjs';
import * as load from './sections/load.mjs';
import * as memory from './sections/memory.mjs';
import * as queries from './sections/queries.mjs';
import * as recovery from './sections/recovery.mjs';
import * as stateSaves from './sections/state-saves.mjs';

const SECTIONS = [
  ['1 cost of a call', callCost],
  ['2 never blocks', neverBlocks],
  ['3 ingest', ingest],
  ['4 memory', memory],
  ['5 queries under load', queries],
  ['6 recovery', recovery],
  ['7 load', load],
  ['8 state saves', stateSaves],
  ['9 new mail', newmail],
  ['10 CURVE ingest', curve],
];

const USAGE = `usage: node bench/run.mjs [--quick] [--only N,M]  (sections: ${SECTIONS.map(([name]) => name).join(', ')})`;
let values;
try {
  ({ values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } }));
} catch (error) {
  console.error(`bench: ${error.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const only = values.only?.split(',').map((n) => n.trim());
const unknown = only?.filter((n) => !SECTIONS.some(([name]) => name.split(' ')[0] === n)) ?? [];
if (unknown.length > 0) {
  console.error(`bench: no section ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const context = { quick: values.quick, log: (message) => process.stderr.write(`bench: ${message}\n`) };

const started = new Date();
const rows = [];
let failed = 0;
for (const [name, section] of SECTIONS) {
  if (only && !only.includes(name.split(' ')[0])) continue;
  context.log(`${name}...`);
  const t0 = performance.now();
  try {
    rows.push(...(await section.run(context)));
  } catch (error) {
    failed += 1;
    rows.push({ section: name, measure: '(section did not run)', note: String(error.message ?? error).split('\n')[0] });
  } finally {
    await killAll();
    removeTempDirs();
  }
  context.log(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const table = render(rows);
const header = `mapistore-mgmt benchmarks, ${started.toISOString()}${values.quick ? ' (quick: small counts, figures not meaningful)' : ''}; ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`;
console.log(`${header}\n\n${table}`);

mkdirSync(RESULTS, { recursive: true });
const file = join(RESULTS, `bench-${started.toISOString().replace(/[:.]/g, '-')}${values.quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify({ date: started.toISOString(), quick: values.quick, cpus: cpus().length, loadavg: loadavg(), rows, table }, null, 2)}\n`);
console.log(`\nsaved ${file}`);
process.exit(failed ? 1 : 0);
