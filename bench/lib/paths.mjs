// SPDX-License-Identifier: GPL-3.0-or-later
// Where the benchmark finds the built programs, and a private temporary directory per run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** C programs: the benchmark's (bench-*) and the project's. */
export const BIN = process.env.MAPISTORE_MGMT_BENCH_BIN ?? join(ROOT, 'build', 'bin');
/** The built notifier CLI. */
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const RESULTS = join(ROOT, 'bench', 'results');

export function program(name) {
  return join(BIN, name);
}

const made = [];

/** A fresh directory under the system temp dir, removed by `removeTempDirs()`. */
export function makeTempDir(prefix = 'mm-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
