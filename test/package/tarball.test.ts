// SPDX-License-Identifier: GPL-3.0-or-later
// The npm package as a user gets it: `npm pack`, then `npm install` of the tarball into an empty
// project (dependencies from the local npm cache where it has them, `--prefer-offline`; the
// package's install step builds the addon); then the installed CLI serves and queries, and the
// installed addon registers with it.
// Slow (a C build): the bounds below only guard against a hang.
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UserEntry, UsersPage } from '../../src/server/api-types.js';
import { REPO_ROOT, TestProcess, cleanup, type RunResult } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

const HANG_GUARD_MS = 600_000;

const groups: TestProcess[] = [];
let project = '';
let packedFiles: string[] = [];

/** The environment without npm's variables of the `npm test` that runs us: the nested npm must see its own project. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

/** Starts `command` in its own process group, so that stopping it also stops what npx started. */
function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): TestProcess {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const proc = new TestProcess(child, `${command} ${args.join(' ')}`);
  groups.push(proc);
  return proc;
}

/** Runs `command` to completion (the hang guard kills it) and returns its exit code and output. */
async function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const proc = start(command, args, cwd, env);
  const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), HANG_GUARD_MS);
  const { code } = await proc.exited;
  clearTimeout(timer);
  return { code, stdout: proc.stdout, stderr: proc.stderr };
}

/** Signals the whole group, which may outlive its leader (npx). */
function signalGroup(proc: TestProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // The group has already gone.
  }
}

async function stopGroup(proc: TestProcess): Promise<void> {
  signalGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(timer);
}

// A test worker that dies without running its hooks still takes the groups with it.
process.on('exit', () => groups.forEach((proc) => signalGroup(proc, 'SIGKILL')));

beforeAll(async () => {
  const dir = makeTempDir('mm-package-');
  const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], REPO_ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed!.files.map((file) => file.path);

  project = join(dir, 'project');
  mkdirSync(project);
  // allowScripts: the user's approval of the two install steps (npm lists unapproved ones).
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'consumer',
    version: '1.0.0',
    private: true,
    type: 'module',
    allowScripts: { 'mapistore-mgmt': true, zeromq: true },
  }));
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed!.filename)], project);
  expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
  expect(`${install.stdout}${install.stderr}`).not.toMatch(/EBADENGINE/);
}, HANG_GUARD_MS);

afterAll(async () => {
  await Promise.all(groups.map(stopGroup));
  await cleanup();
}, 60_000);

it('the tarball holds the built package, the sources its install step builds, and no tests or benchmarks', () => {
  for (const path of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js',
    'scripts/install.mjs', 'CMakeLists.txt', 'include/mapistore/mapistore_mgmt.h', 'binding/addon.cc', 'man/mapistore-mgmt.1',
    'src/libmapistore-mgmt/exported-symbols.txt']) {
    expect(packedFiles).toContain(path);
  }
  const unwanted = packedFiles.filter((path) => /^(test|bench|build|node_modules)\//.test(path) || /\.(map|tsbuildinfo)$/.test(path));
  expect(unwanted).toEqual([]);
});

it('`npx mapistore-mgmt serve` serves, the installed addon registers with it, and the CLI shows it', async () => {
  const endpoint = `ipc://${join(project, 'notify.sock')}`;
  const notifier = start('npx', ['--no-install', 'mapistore-mgmt', 'serve', '--endpoint', endpoint,
    '--http', '127.0.0.1:0', '--state-dir', join(project, 'state')], project);
  const [, httpUrl] = await notifier.waitForOutput(/"httpUrl":"(http:\/\/[^"]+)"/, HANG_GUARD_MS);

  // A host of the addon: registers jdoe through the installed package and holds it until stopped.
  writeFileSync(join(project, 'host.mjs'), [
    "import { configure, registerUser } from 'mapistore-mgmt';",
    `configure({ endpoint: ${JSON.stringify(endpoint)} });`,
    "console.log(registerUser({ username: 'jdoe' }, 'SOGo', 'jdoe') ? 'queued' : 'not queued');",
    'setInterval(() => {}, 60_000);',
  ].join('\n'));
  const host = start(process.execPath, ['host.mjs'], project);
  await host.waitForOutput(/^queued$/m, HANG_GUARD_MS);

  const expected: UserEntry[] = [{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }];
  await waitFor('jdoe in the notifier table', async () => {
    const response = await fetch(`${httpUrl}/v1/users`);
    return response.ok && JSON.stringify(((await response.json()) as UsersPage).users) === JSON.stringify(expected);
  }, { timeoutMs: HANG_GUARD_MS });

  const users = await run('npx', ['--no-install', 'mapistore-mgmt', 'users', '--json', '--http', httpUrl!], project);
  expect(users.code, users.stderr).toBe(0);
  expect(JSON.parse(users.stdout)).toEqual(expected);

  await stopGroup(host);
  // npx and the notifier both get the SIGTERM: the notifier's own log says it stopped cleanly.
  await stopGroup(notifier);
  expect(notifier.stdout).toMatch(/"msg":"stopped"/);
}, HANG_GUARD_MS);

it('without the system packages, the install step fails naming them and the line that installs them', async () => {
  // A PATH with node alone: no pkg-config, no cmake, no compiler, no make.
  const bin = makeTempDir('mm-bare-path-');
  symlinkSync(process.execPath, join(bin, 'node'));
  const installed = join(project, 'node_modules', 'mapistore-mgmt');
  const result = await run(process.execPath, [join(installed, 'scripts', 'install.mjs')], installed, { ...cleanEnv(), PATH: bin });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('missing pkg-config, libzmq (with its pkg-config file), cmake, a C and C++ compiler, make or ninja');
  expect(result.stderr).toContain('sudo apt-get install libzmq3-dev pkg-config cmake make g++');
  expect(result.stderr).toContain('npm rebuild mapistore-mgmt');
}, HANG_GUARD_MS);
