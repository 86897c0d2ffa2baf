#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the whole suite: set-up, then the C tests (ctest) and the TypeScript tests (vitest),
// both always, so that a failure in one never hides the other's results. Exits non-zero if
// either failed.
//
//   node scripts/test.mjs              (npm test) one run, output as it comes
//   node scripts/test.mjs --repeat N   (npm run test:repeat -- N) N runs in a row after one
//                                      set-up, to find flaky tests: every run goes on to the
//                                      next; each run's output and vitest report are kept in
//                                      build/test-repeat/, and every failing run is named with
//                                      its failed tests.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_REPEAT = 10;

function usage(message) {
  console.error(`test: ${message}\nusage: node scripts/test.mjs [--repeat N]   (N >= 1, default ${DEFAULT_REPEAT})`);
  process.exit(2);
}

function parseArguments(args) {
  if (args.length === 0) return { repeat: 0 };
  if (args[0] !== '--repeat' || args.length > 2) usage(`unknown arguments: ${args.join(' ')}`);
  if (args.length === 1) return { repeat: DEFAULT_REPEAT };
  const repeat = Number(args[1]);
  if (!Number.isInteger(repeat) || repeat < 1) usage(`--repeat needs a whole number >= 1, not "${args[1]}"`);
  return { repeat };
}

// Runs a command with its output on the terminal, or appended to the file `log`; resolves to
// its exit status.
function run(command, args, log) {
  return new Promise((resolve) => {
    const fd = log ? openSync(log, 'a') : undefined;
    const stdio = log ? ['ignore', fd, fd] : 'inherit';
    const child = spawn(command, args, { cwd: root, stdio });
    const done = (status) => {
      if (fd !== undefined) closeSync(fd);
      resolve(status);
    };
    child.on('error', (error) => {
      console.error(`test: cannot run ${command}: ${error.message}`);
      done(127);
    });
    child.on('close', (code) => done(code ?? 1));
  });
}

// ctest lists the tests that failed in LastTestsFailed.log, one "7:threads" per line.
async function runCtest(log) {
  const failedList = join(root, 'build', 'Testing', 'Temporary', 'LastTestsFailed.log');
  rmSync(failedList, { force: true });
  const status = await run('ctest', ['--test-dir', 'build', '--output-on-failure'], log);
  if (status === 0) return [];
  const failed = existsSync(failedList)
    ? readFileSync(failedList, 'utf8').split('\n').filter(Boolean).map((line) => line.replace(/^\d+:/, ''))
    : [];
  return failed.length > 0 ? failed : [`ctest exited with status ${status}`];
}

// vitest's JSON report (kept beside the log) names each failed test, and each file that
// failed outside a test.
async function runVitest(report, log) {
  rmSync(report, { force: true });
  const vitest = join(root, 'node_modules', '.bin', 'vitest');
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  const status = await run(vitest, args, log);
  if (status === 0) return [];
  let results;
  try {
    results = JSON.parse(readFileSync(report, 'utf8')).testResults;
  } catch {
    return [`vitest exited with status ${status} (no report)`];
  }
  const failed = results.flatMap((file) => {
    const where = relative(root, file.name);
    const tests = file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${where} > ${test.fullName}`);
    return tests.length > 0 || file.status !== 'failed' ? tests : [`${where} (${file.message.split('\n')[0]})`];
  });
  return failed.length > 0 ? failed : [`vitest exited with status ${status}`];
}

function describe(failed) {
  return failed.length === 0 ? 'passed' : `FAILED: ${failed.join('; ')}`;
}

async function runSuite(vitestReport, log) {
  const ctest = await runCtest(log);
  const vitest = await runVitest(vitestReport, log);
  return { ctest, vitest, passed: ctest.length === 0 && vitest.length === 0 };
}

const { repeat } = parseArguments(process.argv.slice(2));
if (spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('test: set-up failed, no test ran');
  process.exit(1);
}

if (repeat === 0) {
  const result = await runSuite(join(root, 'build', 'vitest-report.json'));
  console.log(`\ntest: ctest ${describe(result.ctest)} | vitest ${describe(result.vitest)}`);
  process.exit(result.passed ? 0 : 1);
}

const logDir = join(root, 'build', 'test-repeat');
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });
const failures = [];
for (let index = 1; index <= repeat; index++) {
  const log = join(logDir, `run-${index}.log`);
  const started = Date.now();
  const result = await runSuite(join(logDir, `run-${index}.vitest.json`), log);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.passed) {
    console.log(`run ${index}/${repeat}: passed (${seconds} s)`);
  } else {
    failures.push(index);
    console.log(`run ${index}/${repeat}: ctest ${describe(result.ctest)} | vitest ${describe(result.vitest)} (${seconds} s, log: ${relative(root, log)})`);
  }
}
console.log(`test:repeat: ${repeat - failures.length} passed, ${failures.length} failed${failures.length ? ` (runs ${failures.join(', ')})` : ''}`);
process.exit(failures.length === 0 ? 0 : 1);
