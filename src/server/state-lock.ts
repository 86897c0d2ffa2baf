// One notifier per state directory: a lock file created with O_EXCL holds the owner's pid and
// start time. A lock whose owner is gone (a crash, kill -9) is stale and taken over; the start
// time tells a live owner from an unrelated process that was given the same pid later.
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error.js';

export const LOCK_FILE_NAME = 'notifier.lock';

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

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
  const mine = `${process.pid} ${startTime(process.pid)}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, CREATE_NEW, 0o600);
      try {
        writeSync(fd, `${mine}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' || attempt > 0) {
        throw new StartupError(`cannot lock the state directory ${stateDir} (${code ?? String(error)}): choose another --state-dir or fix its permissions.`, 2);
      }
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder.pid, holder.start)) {
        throw new StartupError(
          `the state directory ${stateDir} is in use by another notifier (pid ${holder.pid}, lock ${path}): stop that notifier or give this one another --state-dir.`,
          2,
        );
      }
      // Its owner is gone (or never finished writing it): a stale lock.
      rmSync(path, { force: true });
    }
  }
  return () => {
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}
