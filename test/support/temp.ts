// SPDX-License-Identifier: GPL-3.0-or-later
// Temporary directories that the test cleanup removes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();

/** Creates a fresh directory under the system temp dir; `removeTempDirs()` deletes it. */
export function makeTempDir(prefix = 'mm-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Deletes every directory `makeTempDir` created. */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

/** A fresh HTTP token in a 0600 file of its own, for `--http-token-file`. */
export function makeTokenFile(): { path: string; token: string } {
  const token = randomBytes(24).toString('hex');
  const path = join(makeTempDir('mm-token-'), 'token');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { path, token };
}
