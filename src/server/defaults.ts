// SPDX-License-Identifier: GPL-3.0-or-later
// Defaults the notifier shares with libmapistore-mgmt (see include/mapistore/mapistore_mgmt.h).
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The longest ipc socket path: sockaddr_un holds 107 bytes plus the terminating NUL. */
export const IPC_PATH_MAX_BYTES = 107;

/**
 * The library's default too (config.c): root's own `/run/mapistore-mgmt`; another user's
 * `$XDG_RUNTIME_DIR/mapistore-mgmt` if that path fits a socket address, else
 * `/tmp/mapistore-mgmt-UID` (never a directory shared by users, which the first to make it would own).
 */
export function defaultEndpoint(env: NodeJS.ProcessEnv = process.env, uid: number = process.geteuid?.() ?? 0): string {
  if (uid === 0) return 'ipc:///run/mapistore-mgmt/notify.sock';
  const runtime = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'mapistore-mgmt', 'notify.sock') : undefined;
  if (runtime !== undefined && Buffer.byteLength(runtime) <= IPC_PATH_MAX_BYTES) return `ipc://${runtime}`;
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
  /** The longest queue a sender may configure (MM_QUEUE_LIMIT_MAX), and its socket's ZMQ_SNDHWM (MM_SEND_HWM). */
  queueLimitMax: 10_000_000,
  sendHwm: 1_000,
  /** A source that holds nothing announces itself again after this long a silence (or an interval, if shorter). */
  announceSilenceMs: 1_000,
} as const;

/**
 * Sequence plausibility (src/table/sequence-bound.ts): a known source's next message may skip
 * at most the messages that can wait behind the last one heard (the library's largest queue,
 * both ZeroMQ queues and the kernel's socket buffers, under a million messages of at least 24
 * bytes), plus what a sender can number in the time since: far more than the few million
 * calls a second one process makes (docs/benchmarks.md). Generous on purpose: a real sender
 * is never refused; seq 2^64-1 is.
 */
export const SOCKET_BUFFER_MESSAGES = 1_000_000;
export const MAX_SENDER_RATE_PER_SECOND = 10_000_000;

const LEASE_MULTIPLIER = 3;

export const DEFAULTS = {
  heartbeatMs: 5_000,
  leaseMultiplier: LEASE_MULTIPLIER,
  // Every interval the library accepts gets exactly its 3 x interval lease: no clamp bites.
  minLeaseMs: LEASE_MULTIPLIER * LIBRARY_LIMITS.heartbeatMsMin,
  maxLeaseMs: LEASE_MULTIPLIER * LIBRARY_LIMITS.heartbeatMsMax,
  maxSources: 10_000,
  // Twice over the library's re-announcement after a silence, which covers a queue's delay.
  emptyLeaseMs: 5 * LIBRARY_LIMITS.announceSilenceMs,
  maxSourcesPerPid: 4,
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
