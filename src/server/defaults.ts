// Defaults the notifier shares with libmapistore-mgmt (see include/mapistore/mapistore_mgmt.h).
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The library's default too (config.c): root's own `/run/mapistore-mgmt`; another user's
 * `$XDG_RUNTIME_DIR/mapistore-mgmt`, else `/tmp/mapistore-mgmt-UID` (never a directory shared by
 * users, which the first to make it would own).
 */
export function defaultEndpoint(env: NodeJS.ProcessEnv = process.env, uid: number = process.geteuid?.() ?? 0): string {
  if (uid === 0) return 'ipc:///run/mapistore-mgmt/notify.sock';
  if (env.XDG_RUNTIME_DIR) return `ipc://${join(env.XDG_RUNTIME_DIR, 'mapistore-mgmt', 'notify.sock')}`;
  return `ipc:///tmp/mapistore-mgmt-${uid}/notify.sock`;
}

/** systemd's `$STATE_DIRECTORY`, else `${XDG_STATE_HOME:-~/.local/state}/mapistore-mgmt`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  // systemd passes a colon-separated list when a unit names several state directories.
  const systemd = env.STATE_DIRECTORY?.split(':')[0];
  if (systemd) return systemd;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'mapistore-mgmt');
}

export const DEFAULT_HTTP = '127.0.0.1:7390';

export const DEFAULTS = {
  heartbeatMs: 5_000,
  leaseMultiplier: 3,
  minLeaseMs: 1_000,
  maxLeaseMs: 300_000,
  maxSources: 10_000,
  maxRegistrationsPerSource: 10_000,
  maxFrameBytes: 4 * 1024 * 1024,
  saveIntervalMs: 1_000,
  socketMode: 0o750,
  rejectionLogIntervalMs: 10_000,
  shutdownTimeoutMs: 5_000,
} as const;
