// SPDX-License-Identifier: GPL-3.0-or-later
// What `mapistore-mgmt serve` runs with, once flags and environment are parsed and checked
// (each field is the option of the same name, see src/cli/serve-options.ts).
import type { NewmailConfig } from '../newmail/config.js';

export interface HostPort {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface ServeConfig extends NewmailConfig {
  /** ZeroMQ endpoint the PULL socket binds (ipc:// or tcp://). */
  endpoint: string;
  /** Mode and group of an ipc socket directory the notifier creates. */
  socketMode: number;
  socketGroup?: string;
  /** ipc peers allowed by uid or primary gid (ZAP); both empty: the directory alone decides. */
  ipcAllowUsers: number[];
  ipcAllowGroups: number[];
  /** Refuse messages whose pid is not that of an admitted ipc peer, and limit sources per pid. */
  ipcCheckPids: boolean;
  /** Live sources one pid may claim, with ipcCheckPids. */
  maxSourcesPerPid: number;
  /** The notifier's CURVE secret key file, and the client public keys it admits (file or directory). */
  curveSecretKeyFile?: string;
  curveAllow?: string;
  /** A tcp endpoint without CURVE, allowed on loopback only. */
  insecurePlainTcp: boolean;
  /** Where the HTTP API listens. */
  http: HostPort;
  /** File holding the HTTP bearer token. */
  httpTokenFile?: string;
  /** What the token guards: `writes` (purge) or `all` (every route but the health probes). */
  httpAuth: 'writes' | 'all';
  /** Host names requests may carry besides localhost and literal addresses. */
  httpAllowedHosts: string[];
  /** Serve HTTPS with this certificate (chain) and private key, PEM files. */
  httpTlsCertFile?: string;
  httpTlsKeyFile?: string;
  stateDir: string;
  /** Interval assumed for a source until its first heartbeat announces its own. */
  heartbeatMs: number;
  leaseMultiplier: number;
  minLeaseMs: number;
  maxLeaseMs: number;
  /** A source that holds nothing expires this long after it was last heard (if its lease is longer). */
  emptyLeaseMs: number;
  maxSources: number;
  maxRegistrationsPerSource: number;
  /** Distinct triples held, summed over all sources (each source's triples count once). */
  maxRegistrations: number;
  /** Clients following GET /v1/events at once; more get a 503. */
  maxEventSubscribers: number;
  /** ZMQ_RCVHWM: messages queued per connected sender before its own queue takes the rest. */
  receiveHwm: number;
  maxFrameBytes: number;
  /** How often a changed table is written to the state file. */
  saveIntervalMs: number;
  /** At most one log line per rejection reason per this interval. */
  rejectionLogIntervalMs: number;
  /** A graceful shutdown that takes longer is cut short. */
  shutdownTimeoutMs: number;
  logLevel: string;
  /** The file the settings given by neither flag nor variable come from (read again on SIGHUP). */
  config?: string;
}
