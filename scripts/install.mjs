#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// npm's install step: builds the native addon and the C library it links (build/Release) with
// cmake-js against the system's libzmq, as better-sqlite3 and zeromq.js build theirs from
// source. Without the system packages it stops with the line that installs them.
// In the repository itself (`npm ci` in a checkout) it does nothing: scripts/setup.mjs makes
// the developer build there, with the tests and benchmarks.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// npm names the project being installed; run by hand, the script always builds.
const projectPrefix = process.env.npm_config_local_prefix;
const installedAsProject = projectPrefix !== undefined && resolve(projectPrefix) === root;

/** [what is missing, how it was looked for]: a command that must run for the build. */
const REQUIREMENTS = [
  ['pkg-config', ['pkg-config', '--version']],
  ['libzmq (with its pkg-config file)', ['pkg-config', '--exists', 'libzmq']],
  ['cmake', ['cmake', '--version']],
  ['a C and C++ compiler', ['c++', '--version']],
  ['make or ninja', ['make', '--version'], ['ninja', '--version']],
];

function runs([command, ...args]) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function missingRequirements() {
  return REQUIREMENTS.filter(([, ...probes]) => !probes.some(runs)).map(([name]) => name);
}

function fail(message) {
  console.error(`mapistore-mgmt: ${message}`);
  process.exit(1);
}

function build() {
  const missing = missingRequirements();
  if (missing.length > 0) {
    fail(
      `cannot build the native addon: missing ${missing.join(', ')}.\n` +
        'Install the build dependencies, then run `npm rebuild mapistore-mgmt`:\n' +
        '  Debian, Ubuntu: sudo apt-get install libzmq3-dev pkg-config cmake make g++\n' +
        '  Fedora:         sudo dnf install zeromq-devel pkgconf-pkg-config cmake make gcc-c++',
    );
  }
  const cmakeJs = join(dirname(createRequire(import.meta.url).resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  // Only what the addon needs: the library, its send tool and the addon; no tests, no benchmarks.
  const args = ['rebuild', '--out', 'build', '--log-level', 'warn', '--CDBUILD_TESTING=OFF', '--CDMAPISTORE_MGMT_BENCHMARKS=OFF'];
  const result = spawnSync(process.execPath, [cmakeJs, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('building the native addon failed (the compiler output is above)');
}

if (!installedAsProject) build();
