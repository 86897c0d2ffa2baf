// SPDX-License-Identifier: GPL-3.0-or-later
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

/**
 * The limits libmapistore-mgmt enforces, as its header defines them (MAPISTORE_MGMT_MAX_TRIPLES,
 * MAPISTORE_MGMT_HEARTBEAT_MS_MIN/MAX; the frame size in src/libmapistore-mgmt/wire.h): the
 * notifier's defaults take every process within them in full (docs/protocol.md, "Limits").
 */
export const LIBRARY_LIMITS = {
  maxTriples: 10_000,
  heartbeatMsMin: 10,
  heartbeatMsMax: 100_000,
  /** The largest frame the library sends: a bigger heartbeat goes as a multipart message. */
  maxFrameBytes: 65_536,
} as const;

const LEASE_MULTIPLIER = 3;

export const DEFAULTS = {
  heartbeatMs: 5_000,
  leaseMultiplier: LEASE_MULTIPLIER,
  // Every interval the library accepts gets exactly its 3 x interval lease: no clamp bites.
  minLeaseMs: LEASE_MULTIPLIER * LIBRARY_LIMITS.heartbeatMsMin,
  maxLeaseMs: LEASE_MULTIPLIER * LIBRARY_LIMITS.heartbeatMsMax,
  maxSources: 10_000,
  maxRegistrationsPerSource: LIBRARY_LIMITS.maxTriples,
  maxRegistrations: 1_000_000,
  maxEventSubscribers: 100,
  receiveHwm: 1_000,
  maxFrameBytes: 4 * 1024 * 1024,
  saveIntervalMs: 1_000,
  socketMode: 0o750,
  rejectionLogIntervalMs: 10_000,
  shutdownTimeoutMs: 5_000,
} as const;
