// SPDX-License-Identifier: GPL-3.0-or-later
// The notification process: restores the table, binds the PULL socket, serves HTTP, expires
// silent sources, saves the table, and shuts down in bounded time.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RegistrationTable } from '../table/table.js';
import type { TableOptions } from '../table/types.js';
import type { AdmittedPids } from './admitted-pids.js';
import type { ServeConfig } from './config.js';
import { LIBRARY_LIMITS, MAX_SENDER_RATE_PER_SECOND, SOCKET_BUFFER_MESSAGES } from './defaults.js';
import { FrameReceiver } from './frame-receiver.js';
import { httpAuthOptions } from './http-auth-options.js';
import { ipcPath, openSocketToGroup, prepareIpcSocket, removeSocketFile } from './ipc-socket-dir.js';
import { peerAuthOptions, startPeerAuth } from './peer-auth.js';
import { ensureStateDir, removeInterruptedSaves, stateFilePath } from './state-file.js';
import { lockStateDir } from './state-lock.js';
import { StartupError } from './startup-error.js';
import { StepClock } from './step-clock.js';
import { VERSION } from './version.js';

/**
 * What runs once the message socket is bound: the table, HTTP, the metrics and the new-mail
 * side, about half of the start. Loaded after the bind, so that senders reconnect, and their
 * resync waits in the socket's queues, while these load.
 */
async function loadServices() {
  const [tableStore, changeStream, metrics, httpApi, newmail, expiry, messageHandler, rateLimitedLog] = await Promise.all([
    import('./table-store.js'),
    import('./change-stream.js'),
    import('./metrics.js'),
    import('./http-api.js'),
    import('../newmail/service.js'),
    import('./expiry.js'),
    import('./message-handler.js'),
    import('./rate-limited-log.js'),
  ]);
  return { ...tableStore, ...changeStream, ...metrics, ...httpApi, ...newmail, ...expiry, ...messageHandler, ...rateLimitedLog };
}

/** The socket accepts messages up to this many times --max-frame-bytes, so that a frame just
 * over the limit is still read, counted and logged as `oversized`; beyond it libzmq drops the
 * sender's connection before the frame reaches memory. */
const SOCKET_SIZE_FACTOR = 2;

export interface RunningNotifier {
  /** The endpoint as bound (a tcp port 0 resolved). */
  endpoint: string;
  httpUrl: string;
  table: RegistrationTable;
  /** Stops reading, saves the table, closes the socket and HTTP. Idempotent. Resolves to whether the final save succeeded. */
  stop(): Promise<{ saved: boolean }>;
  /** Resolves once stopped; rejects if receiving fails (a ZeroMQ error, never bad input). */
  receiving: Promise<void>;
  /** Reads the CURVE allow-list again, if there is one (SIGHUP). */
  reloadAllowList(): void;
}

function tableOptions(config: ServeConfig, admittedPids: AdmittedPids | undefined): TableOptions {
  return {
    limits: {
      maxSources: config.maxSources,
      maxRegistrationsPerSource: config.maxRegistrationsPerSource,
      maxRegistrations: config.maxRegistrations,
      // Per pid only where the pid is the transport's word, not the message's.
      ...(admittedPids === undefined ? {} : { maxSourcesPerPid: config.maxSourcesPerPid }),
      sequenceBound: {
        slack: LIBRARY_LIMITS.queueLimitMax + LIBRARY_LIMITS.sendHwm + config.receiveHwm + SOCKET_BUFFER_MESSAGES,
        ratePerSecond: MAX_SENDER_RATE_PER_SECOND,
      },
    },
    lease: {
      defaultIntervalMs: config.heartbeatMs,
      multiplier: config.leaseMultiplier,
      minLeaseMs: config.minLeaseMs,
      maxLeaseMs: config.maxLeaseMs,
      emptyLeaseMs: config.emptyLeaseMs,
    },
    ...(admittedPids === undefined ? {} : { admitsPid: (pid: number) => admittedPids.has(pid) }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The URL of the address the server really listens on (a wildcard stays a wildcard). */
function boundUrl(address: ReturnType<Server['address']>, scheme: 'http' | 'https'): string {
  if (address === null || typeof address === 'string') return `${scheme}://${address}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

export async function startNotifier(config: ServeConfig, log: Logger): Promise<RunningNotifier> {
  ensureStateDir(config.stateDir);
  const unlock = lockStateDir(config.stateDir);
  try {
    return await serve(config, log, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Why /readyz answers 503: empty when ready. */
export type NotReadyReason = 'stopping' | 'state-save-failing';

async function serve(config: ServeConfig, log: Logger, unlock: () => void): Promise<RunningNotifier> {
  const startedAt = Date.now();
  const auth = httpAuthOptions(config);
  const peerChecks = peerAuthOptions(config);
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  const statePath = stateFilePath(config.stateDir);
  removeInterruptedSaves(statePath);

  const socketPath = ipcPath(config.endpoint);
  if (socketPath !== undefined) {
    await prepareIpcSocket(socketPath, { mode: config.socketMode, group: config.socketGroup }, log);
  }
  // The metrics library loads after the bind, unless a peer check counts refusals before it.
  let registryLoad: Promise<Registry> | undefined;
  const metricsRegistry = () => (registryLoad ??= import('prom-client').then(({ Registry }) => new Registry()));
  // Bound before the socket, which then asks it about every connection.
  const peerAuth = await startPeerAuth(peerChecks, metricsRegistry, log);
  const receiver = new FrameReceiver(config.endpoint, {
    maxMessageSize: config.maxFrameBytes * SOCKET_SIZE_FACTOR,
    receiveHighWaterMark: config.receiveHwm,
    security: peerAuth?.socketOptions,
  });
  const endpoint = await receiver.bind().catch(async (error: unknown) => {
    await peerAuth?.close();
    throw new StartupError(`cannot bind ${config.endpoint} (${describe(error)}): stop the process using it or choose another --endpoint.`);
  });
  if (socketPath !== undefined) openSocketToGroup(socketPath, config.socketGroup);
  peerAuth?.watch(receiver.events);
  const closeSocket = async () => {
    await receiver.close();
    await peerAuth?.close();
    if (socketPath !== undefined) removeSocketFile(socketPath);
  };

  /** `step`'s result; if it fails, the socket is closed before the error goes on. */
  const orCloseSocket = <T>(step: Promise<T>): Promise<T> =>
    step.catch(async (error: unknown) => {
      await closeSocket();
      throw error;
    });

  // Nothing is read from the socket before the table is restored: what senders send meanwhile waits in its queues.
  const [services, registry] = await orCloseSocket(Promise.all([loadServices(), metricsRegistry()]));
  const { ChangeStream, NotifierMetrics, TableSaver, createHttpApi, createMessageHandler, startExpiry, startNewmail, RateLimitedLog } = services;
  const clock = new StepClock();
  const table = await orCloseSocket(services.restoreTable(statePath, { ...tableOptions(config, peerChecks.admittedPids), now: clock.now }, log));
  const changes = new ChangeStream(config.maxEventSubscribers);
  const metrics = new NotifierMetrics(
    {
      sizes: () => ({ sources: table.sourceCount, users: table.userCount, registrations: table.registrationCount }),
      heldRegistrations: () => table.heldCount,
      emptySources: () => table.emptySourceCount,
      eventSubscribers: () => changes.size,
      eventSubscribersCut: () => changes.cut,
      receiveBacklogMs: () => receiver.backlogMs,
    },
    registry,
  );
  const saver = new TableSaver(statePath, table, config.saveIntervalMs, log, metrics.saves);
  // HTTP listens only once everything else has started (nothing awaits between listen and
  // 'running'), so a request never sees 'starting'.
  const notReady = (): NotReadyReason[] => {
    if (phase === 'stopping') return ['stopping'];
    return saver.failing ? ['state-save-failing'] : [];
  };

  // Under ingest nearly every message is a change; build an event only when someone follows.
  table.onChange((event) => changes.publish(event), () => changes.size > 0);

  const newmail = await orCloseSocket(
    startNewmail({
      config,
      table,
      registry: metrics.registry,
      log,
      // The same peer check by uid/gid as the message socket's; CURVE stays the message socket's.
      zapDomain: peerChecks.curve === undefined ? (peerAuth?.socketOptions.zapDomain ?? undefined) : undefined,
      published: (notification) => {
        if (changes.size > 0) changes.publishNewmail({ kind: 'newmail', ...notification, time: new Date().toISOString() });
      },
    }).catch((error: unknown) => {
      throw error instanceof StartupError ? error : new StartupError(describe(error));
    }),
  );

  const rejectionLog = new RateLimitedLog(log, config.rejectionLogIntervalMs);
  const app = createHttpApi({
    table,
    metrics,
    changes,
    log,
    version: VERSION,
    endpoint,
    startedAt,
    notReady,
    refusalLog: rejectionLog,
    auth,
    purged: () => saver.markDirty(),
  });
  newmail.register(app);
  let httpUrl: string;
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
    httpUrl = boundUrl(app.server.address(), auth.tls === undefined ? 'http' : 'https');
  } catch (error) {
    await newmail.close();
    await closeSocket();
    throw new StartupError(
      `cannot serve HTTP on ${config.http.host}:${config.http.port} (${describe(error)}): stop the process using it or choose another --http.`,
    );
  }

  const handle = createMessageHandler({
    table,
    metrics,
    rejectionLog,
    maxFrameBytes: config.maxFrameBytes,
    maxRegistrationsPerSource: config.maxRegistrationsPerSource,
    changed: () => saver.markDirty(),
    clock,
  });
  const receiving = receiver.start(handle, (slice) => {
    metrics.receiveSlices.observe(slice.ms / 1000);
    metrics.receivedBytes.inc(slice.bytes);
  });

  const stopExpiry = startExpiry(table, config.minLeaseMs, { caughtUpAt: () => receiver.caughtUpAt, receivingMs: () => receiver.receivingMs }, (expired) => {
    metrics.expirations.inc(expired.length);
    metrics.emptyExpirations.inc(expired.filter((source) => source.triples === 0).length);
    const now = Date.now();
    for (const source of expired) {
      metrics.expiryDelay.observe(Math.max(0, now - source.expiresAt) / 1000);
      log.info(
        { source: source.key, registrations: source.registrations, intervalMs: source.intervalMs, leaseMs: source.leaseMs, lastHeardAt: new Date(source.lastHeardAt).toISOString() },
        'expired a silent source',
      );
    }
    saver.markDirty();
  });
  saver.start();
  phase = 'running';

  const backendSetup = `export MAPISTORE_MGMT_ENDPOINT=${endpoint}`;
  log.info({ endpoint, httpUrl, newmailEndpoint: newmail.endpoint, stateDir: config.stateDir, backendSetup }, `mapistore-mgmt notifier ready; point backends at it with: ${backendSetup}`);

  let stopping: Promise<{ saved: boolean }> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      phase = 'stopping';
      stopExpiry();
      await receiver.close();
      await newmail.close();
      await peerAuth?.close();
      if (socketPath !== undefined) removeSocketFile(socketPath);
      const saved = await saver.stop();
      if (saved) log.info({ path: statePath, sources: table.sourceCount }, 'saved the table');
      else log.error({ path: statePath }, 'the final save of the table failed: the state file is older than the table');
      changes.close();
      await app.close();
      unlock();
      return { saved };
    })());

  return { endpoint, httpUrl, table, stop, receiving, reloadAllowList: () => peerAuth?.reloadAllowList() };
}
