#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// Brings a checkout to a runnable state: system packages (installed with apt when run as
// root), npm dependencies, the developer native build (library, tools, C tests, benchmarks,
// addon, warnings as errors) into build/ and the TypeScript build into dist/. `npm start`,
// `npm test` and `npm run bench` run this first. Each step asks its own tool whether anything
// is out of date and is skipped, silently, when nothing is; a run with nothing to do prints
// one line, and a step that builds shows the build's own output.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// dovecot-core: the new-mail tests deliver through a real Dovecot (test/newmail/dovecot.test.ts).
const APT_PACKAGES = ['libzmq3-dev', 'libtalloc-dev', 'pkg-config', 'cmake', 'ninja-build', 'make', 'g++', 'dovecot-core'];
const BUILD = join(root, 'build');
// The developer build's CMake options (BUILD_TESTING and MAPISTORE_MGMT_BENCHMARKS are on by default).
const DEVELOPER_OPTIONS = { MAPISTORE_MGMT_WERROR: 'ON' };
const TS_BUILD_INFO = join(root, 'dist', 'tsconfig.build.tsbuildinfo');

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
    ['cmake', 'ninja', 'make', 'c++'].every((tool) => succeeds(tool, ['--version'])) &&
    existsSync('/usr/lib/dovecot/dovecot-lda')
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

/** npm ci when package-lock.json changed since the last install. Returns whether it ran. */
function ensureNodeModules() {
  if (!isOlder(join(root, 'node_modules/.package-lock.json'), join(root, 'package-lock.json'))) return false;
  console.log('setup: npm ci');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) fail('npm ci failed');
  return true;
}

/** Whether build/ was configured with the developer options (by cmake-js, which the addon needs). */
function configuredForDevelopment() {
  const cache = join(BUILD, 'CMakeCache.txt');
  if (!existsSync(cache) || !existsSync(join(BUILD, 'build.ninja'))) return false;
  const text = readFileSync(cache, 'utf8');
  return text.includes('CMAKE_JS_VERSION') &&
    Object.entries(DEVELOPER_OPTIONS).every(([name, value]) => new RegExp(`^${name}:BOOL=${value}$`, 'm').test(text));
}

/** Ninja's dry run: cheap, and it also notices a CMakeLists.txt that needs CMake to run again. */
function nativeUpToDate() {
  const dryRun = spawnSync('ninja', ['-C', BUILD, '-n'], { cwd: root, encoding: 'utf8' });
  return dryRun.status === 0 && dryRun.stdout.includes('ninja: no work to do.');
}

/** Configures (cmake-js, Ninja) when needed and builds when anything is out of date. Returns whether it built. */
function buildNative() {
  const configured = configuredForDevelopment();
  if (configured && nativeUpToDate()) return false;
  if (!configured) {
    const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
    const options = Object.entries(DEVELOPER_OPTIONS).map(([name, value]) => `--CD${name}=${value}`);
    if (!run(process.execPath, [cmakeJs, 'configure', '--out', 'build', '--generator', 'Ninja', '--log-level', 'warn', ...options])) {
      fail('configuring the native build failed (see above)');
    }
  }
  if (!run('cmake', ['--build', BUILD])) fail('native build failed (see above)');
  return true;
}

/** tsc's build mode skips an up-to-date dist/; its build info file changes only when it builds. */
function buildTypeScript() {
  const before = existsSync(TS_BUILD_INFO) ? statSync(TS_BUILD_INFO).mtimeMs : undefined;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!run(process.execPath, [tsc, '-b', 'tsconfig.build.json'])) fail('TypeScript build failed (see above)');
  const built = !existsSync(TS_BUILD_INFO) || statSync(TS_BUILD_INFO).mtimeMs !== before;
  if (built) console.log('setup: built dist/ (TypeScript)');
  return built;
}

ensureSystemPackages();
const installed = ensureNodeModules();
const builtNative = buildNative();
const builtTypeScript = buildTypeScript();
if (!installed && !builtNative && !builtTypeScript) {
  console.log('setup: up to date (node_modules, native build in build/, TypeScript in dist/)');
}
