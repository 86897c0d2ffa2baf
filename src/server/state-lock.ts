// SPDX-License-Identifier: GPL-3.0-or-later
// One notifier per state directory: a lock file, created only if none exists, holds the owner's
// pid and start time. A lock whose owner is gone (a crash, kill -9) is stale and taken over; the start
// time tells a live owner from an unrelated process that was given the same pid later.
import { closeSync, constants, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error.js';

const LOCK_FILE_NAME = 'notifier.lock';

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or '' where unknown. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function isAlive(pid: number, savedStart: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return savedStart === '' || startTime(pid) === savedStart;
}

interface Holder {
  pid: number;
  start: string;
}

function readHolder(path: string): Holder | undefined {
  try {
    const [pid, start = ''] = readFileSync(path, 'utf8').trim().split(' ');
    const number = Number(pid);
    return Number.isSafeInteger(number) && number > 0 ? { pid: number, start } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the state directory's lock, or throws a StartupError (exit 2) naming the live notifier
 * that holds it. Returns the function that releases it (only if it is still ours).
 */
export function lockStateDir(stateDir: string): () => void {
  const path = join(stateDir, LOCK_FILE_NAME);
  // Written whole to a file of our own, then linked into place: link() fails if the lock
  // exists, and a lock that exists is always complete.
  const draft = `${path}.${process.pid}.tmp`;
  const cannotLock = (error: unknown) =>
    new StartupError(`cannot lock the state directory ${stateDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): choose another --state-dir or fix its permissions.`, 2);
  try {
    const fd = openSync(draft, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, `${process.pid} ${startTime(process.pid)}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw cannotLock(error);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' || attempt > 0) throw cannotLock(error);
        const holder = readHolder(path);
        if (holder !== undefined && isAlive(holder.pid, holder.start)) {
          throw new StartupError(
            `the state directory ${stateDir} is in use by another notifier (pid ${holder.pid}, lock ${path}): stop that notifier or give this one another --state-dir.`,
            2,
          );
        }
        // Its owner is gone: a stale lock. (Two notifiers starting at the same instant over one
        // stale lock could both take it; a lock is a guard against mistakes, not a consensus.)
        rmSync(path, { force: true });
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  return () => {
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}
