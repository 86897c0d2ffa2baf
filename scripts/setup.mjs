#!/usr/bin/env node
// Brings a fresh clone to a runnable state: system packages (installed with apt when run as
// root), npm dependencies, the native build (library, C tests, addon) and the TypeScript build.
// Each step is skipped when already done; `npm start` and `npm test` run this first.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APT_PACKAGES = ['libzmq3-dev', 'libtalloc-dev', 'pkg-config', 'cmake', 'make', 'g++'];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status === 0;
}

function succeeds(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'ignore' }).status === 0;
}

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function systemPackagesPresent() {
  return (
    succeeds('pkg-config', ['--exists', 'libzmq', 'talloc']) &&
    succeeds('cmake', ['--version']) &&
    succeeds('make', ['--version']) &&
    succeeds('c++', ['--version'])
  );
}

function ensureSystemPackages() {
  if (systemPackagesPresent()) return;
  const install = `apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    fail(`system packages are missing. Install them with:\n  sudo apt-get update && sudo ${install}`);
  }
  console.log(`setup: installing system packages (${APT_PACKAGES.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update', '-qq'], { env }) || !run('apt-get', ['install', '-y', '-qq', ...APT_PACKAGES], { env })) {
    fail(`apt-get failed. Run it yourself:\n  apt-get update && ${install}`);
  }
  if (!systemPackagesPresent()) fail(`packages installed but libzmq or talloc still not found by pkg-config`);
}

function isOlder(path, than) {
  return !existsSync(path) || statSync(path).mtimeMs < statSync(than).mtimeMs;
}

function ensureNodeModules() {
  if (!isOlder(join(root, 'node_modules/.package-lock.json'), join(root, 'package-lock.json'))) return;
  console.log('setup: npm ci');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) fail('npm ci failed');
}

function build() {
  if (!run('npx', ['cmake-js', 'compile', '--out', 'build', '--log-level', 'warn'])) fail('native build failed (see above)');
  if (!run('npx', ['tsc', '-p', 'tsconfig.build.json'])) fail('TypeScript build failed (see above)');
}

ensureSystemPackages();
ensureNodeModules();
build();
