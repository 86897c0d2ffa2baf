// Who may connect to the PULL socket, decided by the ZAP handler: on ipc, peers whose kernel
// credentials (uid, or primary gid) are on the allow-lists. Refusals are counted by reason and
// peer, and logged at most once per peer per interval.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { RateLimitedLog } from './rate-limited-log.js';
import { ZAP_DOMAIN, ZapHandler, type ZapDecision, type ZapRequest } from './zap.js';

export interface PeerAuthOptions {
  /** Allowed peer uids and primary gids on ipc; both empty: no ZAP, the directory alone decides. */
  ipcUids: readonly number[];
  ipcGids: readonly number[];
  rejectionLogIntervalMs: number;
}

export interface PeerAuth {
  /** Options the PULL socket needs so that libzmq asks the handler (and refuses without it). */
  socketOptions: { zapDomain: string; zapEnforceDomain: boolean };
  close(): Promise<void>;
}

/** `HOST:UID:GID:PID`, as libzmq writes an ipc peer's SO_PEERCRED into the ZAP address. */
export function ipcCredentials(address: string): { uid: number; gid: number; pid: number } | undefined {
  const match = /:(\d+):(\d+):(\d+)$/.exec(address);
  return match ? { uid: Number(match[1]), gid: Number(match[2]), pid: Number(match[3]) } : undefined;
}

export function decideIpc(uids: ReadonlySet<number>, gids: ReadonlySet<number>, request: ZapRequest): ZapDecision {
  const peer = ipcCredentials(request.address);
  if (peer === undefined) return { allow: false, reason: 'no-credentials', peer: 'unknown' };
  if (uids.has(peer.uid) || gids.has(peer.gid)) return { allow: true, userId: `uid:${peer.uid}` };
  return { allow: false, reason: 'peer-not-allowed', peer: `uid:${peer.uid}` };
}

/** Starts the ZAP handler when an allow-list is configured; undefined when none is. */
export async function startPeerAuth(options: PeerAuthOptions, registry: Registry, log: Logger): Promise<PeerAuth | undefined> {
  if (options.ipcUids.length === 0 && options.ipcGids.length === 0) return undefined;
  const refusals = new Counter({
    name: 'mapistore_mgmt_peer_refusals_total',
    help: 'Connections to the message socket the ZAP handler refused, by reason and peer (ipc: uid:N).',
    labelNames: ['reason', 'peer'],
    registers: [registry],
  });
  const refusalLog = new RateLimitedLog(log, options.rejectionLogIntervalMs);
  const uids = new Set(options.ipcUids);
  const gids = new Set(options.ipcGids);
  const handler = new ZapHandler(
    (request) => decideIpc(uids, gids, request),
    ({ reason, peer }, request) => {
      refusals.inc({ reason, peer });
      refusalLog.warn(`${reason} ${peer}`, { reason, peer, address: request.address, mechanism: request.mechanism }, 'refused a connection to the message socket');
    },
  );
  await handler.start();
  return { socketOptions: { zapDomain: ZAP_DOMAIN, zapEnforceDomain: true }, close: () => handler.close() };
}
