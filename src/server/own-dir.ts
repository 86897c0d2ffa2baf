// SPDX-License-Identifier: GPL-3.0-or-later
// A directory the notifier may trust with its socket or its state: a real directory (not a
// symbolic link) of its own user, that neither its group nor others may write. Someone who may
// write it could replace what the notifier puts there (take the socket, or swap the state file).
import { lstatSync } from 'node:fs';

/** Why `dir` is not such a directory, as a sentence ending in what to do; undefined when it is. */
export function whyNotOwnDirectory(dir: string, uid: number = process.geteuid?.() ?? 0): string | undefined {
  const stats = lstatSync(dir);
  if (!stats.isDirectory()) return `${dir} is not a directory (a symbolic link is not followed)`;
  if (stats.uid !== uid) return `${dir} belongs to uid ${stats.uid}, not to this user (uid ${uid}): use a directory of your own, or give this one to the notifier user`;
  const mode = stats.mode & 0o7777;
  if ((mode & 0o022) !== 0) return `${dir} is writable by its group or others (mode ${mode.toString(8)}): chmod go-w it`;
  return undefined;
}
