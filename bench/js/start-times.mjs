#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// How long an empty notifier takes to start: spawn -> the first /v1/status answer, and the CPU
// time the process used by then (less sensitive to a loaded machine than the wall time). Several
// builds are started in turn, round after round, so that they share the machine's load:
//   node bench/js/start-times.mjs [--rounds N] [CLI ...]   (default: 10 rounds of dist/cli/main.js)
// Section 6 of bench/run.mjs times one such start as its baseline; this is the same start, repeated.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { httpGet } from '../lib/notifier.mjs';
import { CLI, makeTempDir } from '../lib/paths.mjs';
import { waitFor } from '../lib/wait.mjs';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt === -1 ? 10 : Number(args.splice(roundsAt, 2)[1]);
const clis = args.length > 0 ? args : [CLI];

/** CPU time (user + system, ms) the process `pid` has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms (CLK_TCK 100)
}

async function startOnce(cli) {
  const dir = makeTempDir('mm-bench-start-');
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'serve', '--endpoint', `ipc://${join(dir, 'notify.sock')}`, '--http', '127.0.0.1:0', '--state-dir', join(dir, 'state')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/"httpUrl":"(http:\/\/[^"]+)"/);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`${cli} exited (${code}) before it was ready`)));
  });
  await waitFor('the notifier to answer', () => httpGet(`${url}/v1/status`).catch(() => undefined), { everyMs: 2 });
  const result = { ms: performance.now() - started, cpuMs: cpuMs(child.pid) };
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = clis.map(() => []);
const loadBefore = loadavg()[0];
for (let round = 0; round < rounds; round++) {
  for (const [i, cli] of clis.entries()) results[i].push(await startOnce(cli));
}
for (const [i, cli] of clis.entries()) {
  const ms = results[i].map((r) => r.ms);
  console.log(
    `${cli}: answered /v1/status after ${median(ms).toFixed(0)} ms (median of ${rounds}; ${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)}), ` +
      `CPU ${median(results[i].map((r) => r.cpuMs)).toFixed(0)} ms (median)`,
  );
}
console.log(`load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`);
process.exit(0);
