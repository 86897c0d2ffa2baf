// SPDX-License-Identifier: GPL-3.0-or-later
// Who may connect to the PULL socket, decided by the ZAP handler: on ipc, peers whose kernel
// credentials (uid, or primary gid) are on the allow-lists; with CURVE (required on tcp), peers
// whose public key is on the allow-list. Refusals, and handshakes that fail before ZAP is asked
// (a wrong server key, a plain client), are counted by reason and peer, and logged at most once
// per reason and peer per interval.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Pull, SocketOptions } from 'zeromq';
import type { ServeConfig } from './config.js';
import { AdmittedPids } from './admitted-pids.js';
import { isLoopbackHost } from './http-auth-options.js';
import { CurveConfigError, readAllowList, readSecretKeyFile, type AllowList } from './curve-keys.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { ZAP_DOMAIN, ZapHandler, type ZapDecision, type ZapRequest } from './zap.js';

/** A tcp peer that connects and stalls holds a descriptor this long at most (libzmq's default: 30 s). */
const TCP_HANDSHAKE_TIMEOUT_MS = 5_000;

export interface PeerAuthOptions {
  /** Allowed peer uids and primary gids on ipc; both empty: the directory alone decides. */
  ipcUids: readonly number[];
  ipcGids: readonly number[];
  /** Where the handler records the pid of each admitted ipc peer (--ipc-check-pids). */
  admittedPids?: AdmittedPids;
  /** The server's secret key, and the client keys it admits with the file or directory they came from. */
  curve?: { secretKey: string; allowed: AllowList; allowPath: string };
  tcp: boolean;
  rejectionLogIntervalMs: number;
}

export interface PeerAuth {
  /** Options the PULL socket needs so that libzmq asks the handler (and refuses without it). */
  socketOptions: SocketOptions<Pull>;
  /** Counts the handshakes that fail before the handler is asked, from the socket's events. */
  watch(events: Pull['events']): void;
  /** Reads the CURVE allow-list again (SIGHUP); a list that has become unusable changes nothing
   * and is logged. New connections are checked against it; open ones stay. */
  reloadAllowList(): void;
  close(): Promise<void>;
}

/** `HOST:UID:GID:PID`, as libzmq writes an ipc peer's SO_PEERCRED into the ZAP address. */
function ipcCredentials(address: string): { uid: number; gid: number; pid: number } | undefined {
  const match = /:(\d+):(\d+):(\d+)$/.exec(address);
  return match ? { uid: Number(match[1]), gid: Number(match[2]), pid: Number(match[3]) } : undefined;
}

function decideIpc(uids: ReadonlySet<number>, gids: ReadonlySet<number>, request: ZapRequest): ZapDecision {
  const peer = ipcCredentials(request.address);
  if (peer === undefined) return { allow: false, reason: 'no-credentials', peer: 'unknown' };
  if (uids.has(peer.uid) || gids.has(peer.gid)) return { allow: true, userId: `uid:${peer.uid}` };
  return { allow: false, reason: 'peer-not-allowed', peer: `uid:${peer.uid}` };
}

function decideCurve(allowed: AllowList, request: ZapRequest): ZapDecision {
  const key = request.mechanism === 'CURVE' ? request.credentials[0] : undefined;
  const label = key === undefined ? undefined : allowed.get(key.toString('hex'));
  // An unlisted key is not a label: counting it by key would let a client grow the metrics.
  return label === undefined ? { allow: false, reason: 'key-not-allowed', peer: 'unlisted' } : { allow: true, userId: `key:${label}` };
}

/** The host of a `tcp://HOST:PORT` endpoint, without brackets. */
function tcpHost(endpoint: string): string {
  return endpoint.slice('tcp://'.length).replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}

/** The peer checks `config` asks for, keys read; refuses (CurveConfigError) anything that would
 * leave tcp open: no key without --insecure-plain-tcp, that flag beyond loopback, a key without
 * an allow-list or the reverse. */
export function peerAuthOptions(config: ServeConfig): PeerAuthOptions {
  const tcp = config.endpoint.startsWith('tcp://');
  const { curveSecretKeyFile: keyFile, curveAllow: allowPath } = config;
  if ((keyFile === undefined) !== (allowPath === undefined)) {
    throw new CurveConfigError('--curve-secret-key-file and --curve-allow go together: the key makes the socket CURVE, the allow-list says which clients it admits.');
  }
  if (tcp && keyFile === undefined) {
    if (!config.insecurePlainTcp) {
      throw new CurveConfigError(
        'a tcp endpoint needs CURVE: give --curve-secret-key-file and --curve-allow (see `mapistore-mgmt keygen`), or --insecure-plain-tcp on a loopback address.',
      );
    }
    if (!isLoopbackHost(tcpHost(config.endpoint))) {
      throw new CurveConfigError(`--insecure-plain-tcp is for loopback only: ${config.endpoint} is reachable from other hosts; use CURVE.`);
    }
  }
  const curve =
    keyFile === undefined || allowPath === undefined ? undefined : { secretKey: readSecretKeyFile(keyFile), allowed: readAllowList(allowPath), allowPath };
  return {
    ipcUids: config.ipcAllowUsers,
    ipcGids: config.ipcAllowGroups,
    ...(config.ipcCheckPids ? { admittedPids: new AdmittedPids() } : {}),
    curve,
    tcp,
    rejectionLogIntervalMs: config.rejectionLogIntervalMs,
  };
}

/** Why a handshake failed before ZAP was asked, as a reason label. */
function handshakeReason(code: string | undefined): string {
  if (code === 'ERR_ZMTP_CRYPTOGRAPHIC') return 'cryptographic-error';
  if (code === 'ERR_ZMTP_MECHANISM_MISMATCH') return 'mechanism-mismatch';
  return 'protocol-error';
}

/**
 * Starts the ZAP handler when a check is configured; undefined when none is. `registry` is
 * asked for only then (the metrics library loads after the bind otherwise).
 */
export async function startPeerAuth(options: PeerAuthOptions, registry: () => Promise<Registry>, log: Logger): Promise<PeerAuth | undefined> {
  const { ipcUids, ipcGids, curve, admittedPids } = options;
  const tcpOptions: SocketOptions<Pull> = options.tcp ? { handshakeInterval: TCP_HANDSHAKE_TIMEOUT_MS } : {};
  if (ipcUids.length === 0 && ipcGids.length === 0 && curve === undefined && admittedPids === undefined) {
    return options.tcp ? { socketOptions: tcpOptions, watch: () => undefined, reloadAllowList: () => undefined, close: async () => undefined } : undefined;
  }
  const [{ Counter }, metrics] = await Promise.all([import('prom-client'), registry()]);
  const refusals = new Counter({
    name: 'mapistore_mgmt_peer_refusals_total',
    help: 'Connections to the message socket refused, by reason and peer (ipc: uid:N; CURVE: unlisted or unknown).',
    labelNames: ['reason', 'peer'],
    registers: [metrics],
  });
  const refusalLog = new RateLimitedLog(log, options.rejectionLogIntervalMs);
  const refuse = (reason: string, peer: string, fields: Record<string, unknown>) => {
    refusals.inc({ reason, peer });
    refusalLog.warn(`${reason} ${peer}`, { reason, peer, ...fields }, 'refused a connection to the message socket');
  };
  const uids = new Set(ipcUids);
  const gids = new Set(ipcGids);
  const checkIpc = uids.size + gids.size > 0;
  let allowed = curve?.allowed;
  const handler = new ZapHandler(
    (request) => {
      const byKey = allowed === undefined ? undefined : decideCurve(allowed, request);
      if (byKey?.allow === false) return byKey;
      const byUid = checkIpc ? decideIpc(uids, gids, request) : undefined;
      if (byUid?.allow === false) return byUid;
      if (admittedPids !== undefined) {
        const peer = ipcCredentials(request.address);
        if (peer === undefined) return { allow: false, reason: 'no-credentials', peer: 'unknown' };
        // Recorded before the 200: libzmq passes on no message of the peer before it.
        admittedPids.admit(peer.pid);
      }
      return { allow: true, userId: [byKey, byUid].flatMap((d) => (d?.allow ? [d.userId] : [])).join(' ') };
    },
    ({ reason, peer }, request) => refuse(reason, peer, { address: request.address, mechanism: request.mechanism }),
  );
  await handler.start();
  let watching: Promise<void> | undefined;
  return {
    socketOptions: {
      ...tcpOptions,
      zapDomain: ZAP_DOMAIN,
      zapEnforceDomain: true,
      ...(curve === undefined ? {} : { curveServer: true, curveSecretKey: curve.secretKey }),
    },
    reloadAllowList() {
      if (curve === undefined) return;
      try {
        allowed = readAllowList(curve.allowPath);
        log.info({ path: curve.allowPath, keys: allowed.size, labels: [...allowed.values()] }, 'SIGHUP: read the CURVE allow-list again');
      } catch (error) {
        log.error({ path: curve.allowPath, reason: (error as Error).message, keys: allowed?.size }, 'SIGHUP: the CURVE allow-list is unusable; the previous one stays');
      }
    },
    watch(events) {
      watching = (async () => {
        for await (const event of events) {
          if (event.type === 'handshake:error:protocol') refuse(handshakeReason(event.error.code), 'unknown', { address: event.address, code: event.error.code });
          // A peer that hangs up before its greeting is read (a plain client that saw our CURVE
          // greeting first) fails with no protocol detail, often EPIPE: refused all the same.
          else if (event.type === 'handshake:error:other') refuse('handshake-failed', 'unknown', { address: event.address, code: event.error.code });
        }
      })().catch(() => undefined);
    },
    async close() {
      await handler.close();
      await watching;
    },
  };
}
