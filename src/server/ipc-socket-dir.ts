// SPDX-License-Identifier: GPL-3.0-or-later
// Prepares the filesystem for an ipc:// endpoint: a private directory for the socket, and no
// stale socket file from a killed notifier. Nobody outside the directory's group can connect.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { whyNotOwnDirectory } from './own-dir.js';
import { StartupError } from './startup-error.js';

export interface SocketDirOptions {
  /** Mode for a directory the notifier creates (default 0750). */
  mode: number;
  /** Group (name or gid) for a directory the notifier creates. */
  group?: string;
}

/** The socket path of an ipc:// endpoint, or undefined for other transports. */
export function ipcPath(endpoint: string): string | undefined {
  return endpoint.startsWith('ipc://') ? endpoint.slice('ipc://'.length) : undefined;
}

function resolveGid(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    // getent asks NSS, so LDAP/SSSD groups resolve like local ones.
    const line = execFileSync('getent', ['group', group], { encoding: 'utf8' });
    const gid = Number(line.split(':')[2]);
    if (Number.isInteger(gid)) return gid;
  } catch {
    // Reported below.
  }
  throw new StartupError(`socket group "${group}" does not exist: give an existing group name or a numeric gid.`, 2);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Whether something serves the unix socket at `path`: true when a connection is accepted, false
 * when it is refused (a stale file). Any other failure (a full backlog: EAGAIN) leaves it
 * unknown, and the file is not ours to remove.
 */
function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(new StartupError(`cannot tell whether another process serves ${path} (${error.code ?? error.message}): stop it or choose another --endpoint.`, 2));
    });
  });
}

/**
 * Creates the socket's directory (mode and group applied only to a directory created here),
 * refuses a directory owned by another user or a path another notifier is serving, and
 * removes a stale socket file. Any failure is a StartupError (exit 2) saying what to change.
 */
export async function prepareIpcSocket(path: string, options: SocketDirOptions, log: Logger): Promise<void> {
  try {
    await prepare(path, options, log);
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StartupError(`cannot prepare the socket directory ${dirname(path)} (${code}): choose another --endpoint or fix its permissions.`, 2);
  }
}

/**
 * The rule the library applies before it connects (endpoint_check.c), so the two agree: the
 * directory is this user's and neither its group nor others may write it (they could replace
 * the socket and receive what backends send).
 */
function refuseSquatted(dir: string, log: Logger): void {
  const why = whyNotOwnDirectory(dir);
  if (why !== undefined) throw new StartupError(`the socket directory ${why}; or choose another --endpoint.`, 2);
  const mode = lstatSync(dir).mode & 0o777;
  if ((mode & 0o005) !== 0) log.warn({ dir, mode: mode.toString(8) }, 'the socket directory is open to other users; restrict it (chmod o-rwx)');
}

async function prepare(path: string, options: SocketDirOptions, log: Logger): Promise<void> {
  const dir = dirname(path);
  const gid = options.group === undefined ? undefined : resolveGid(options.group);
  if (statOrUndefined(dir) === undefined) {
    mkdirSync(dir, { recursive: true });
    // mkdir's mode is filtered by the umask; set the exact one.
    chmodSync(dir, options.mode);
    if (gid !== undefined) chownSync(dir, -1, gid);
    log.info({ dir, mode: options.mode.toString(8), gid }, 'created the socket directory');
  }
  // Checked after any mkdir too: a directory someone else made first is theirs.
  refuseSquatted(dir, log);

  const socket = statOrUndefined(path);
  if (socket === undefined) return;
  if (!socket.isSocket()) throw new StartupError(`${path} exists and is not a socket: remove it or choose another --endpoint.`, 2);
  if (await socketIsLive(path)) throw new StartupError(`another process is already serving ${path}: stop it or choose another --endpoint.`, 2);
  unlinkSync(path);
  log.info({ path }, 'removed a stale socket file');
}

/**
 * Lets the socket's group connect (connecting needs write permission on the socket file; the
 * umask usually withholds it) and gives the file the socket group, if one was configured.
 * Who can reach the file at all is still decided by the directory.
 */
export function openSocketToGroup(path: string, group: string | undefined): void {
  chmodSync(path, 0o660);
  if (group !== undefined) chownSync(path, -1, resolveGid(group));
}

/** Removes the socket file after the socket is closed (libzmq leaves it behind). */
export function removeSocketFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
