// The notifier's embedded state store: one JSON file, replaced atomically (write a temp file,
// fsync, rename, fsync the directory), so a crash leaves either the old or the new table.
import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const STATE_FILE_NAME = 'table.json';

export function stateFilePath(stateDir: string): string {
  return join(stateDir, STATE_FILE_NAME);
}

/** A state directory the notifier cannot use; the message says what to fix. */
export class StateDirError extends Error {}

/** Creates the state directory (0700) if needed and checks it is writable, at start rather than at the first save. */
export function ensureStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StateDirError(`cannot use the state directory ${dir} (${code}): choose another --state-dir or fix its permissions.`);
  }
}

/** Reads the state file; undefined when there is none. Throws on unreadable or non-JSON content. */
export function readStateFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/** Atomically replaces the state file with `state` as JSON; a failed write leaves no temp file behind. */
export function writeStateFile(path: string, state: unknown): void {
  const text = JSON.stringify(state);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  // The rename is durable once the directory entry is.
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Moves a corrupt state file aside (`table.json.corrupt-<time>`) and returns the new path. */
export function moveAside(path: string, now = new Date()): string {
  const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}
