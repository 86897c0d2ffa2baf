// The notification process: restores the table, binds the PULL socket, serves HTTP, expires
// silent sources, saves the table, and shuts down in bounded time.
import type { Logger } from 'pino';
import type { RegistrationTable } from '../table/table.js';
import type { TableOptions } from '../table/types.js';
import { startNewmail } from '../newmail/service.js';
import { ChangeStream } from './change-stream.js';
import type { ServeConfig } from './config.js';
import { startExpiry } from './expiry.js';
import { FrameReceiver } from './frame-receiver.js';
import { createHttpApi } from './http-api.js';
import { ipcPath, openSocketToGroup, prepareIpcSocket, removeSocketFile, SocketDirError } from './ipc-socket-dir.js';
import { createMessageHandler } from './message-handler.js';
import { NotifierMetrics } from './metrics.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { SenderDrops } from './sender-drops.js';
import { ensureStateDir, stateFilePath } from './state-file.js';
import { restoreTable, TableSaver } from './table-store.js';
import { VERSION } from './version.js';

/** The socket accepts messages up to this many times --max-frame-bytes, so that a frame just
 * over the limit is still read, counted and logged as `oversized`; beyond it libzmq drops the
 * sender's connection before the frame reaches memory. */
const SOCKET_SIZE_FACTOR = 2;

export interface RunningNotifier {
  /** The endpoint as bound (a tcp port 0 resolved). */
  endpoint: string;
  httpUrl: string;
  table: RegistrationTable;
  /** Stops reading, saves the table, closes the socket and HTTP. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once stopped; rejects if receiving fails (a ZeroMQ error, never bad input). */
  receiving: Promise<void>;
}

function tableOptions(config: ServeConfig): TableOptions {
  return {
    limits: { maxSources: config.maxSources, maxRegistrationsPerSource: config.maxRegistrationsPerSource },
    lease: {
      defaultIntervalMs: config.heartbeatMs,
      multiplier: config.leaseMultiplier,
      minLeaseMs: config.minLeaseMs,
      maxLeaseMs: config.maxLeaseMs,
    },
  };
}

/** The notifier could not start for a reason outside it (an address in use); the message says what to do. */
export class StartupError extends Error {}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startNotifier(config: ServeConfig, log: Logger): Promise<RunningNotifier> {
  const startedAt = Date.now();
  let ready = false;
  ensureStateDir(config.stateDir);
  const statePath = stateFilePath(config.stateDir);
  const table = restoreTable(statePath, tableOptions(config), log);
  const saver = new TableSaver(statePath, table, config.saveIntervalMs, log);
  const changes = new ChangeStream();
  const metrics = new NotifierMetrics(
    () => ({ sources: table.sourceCount, users: table.userCount, registrations: table.registrationCount }),
    () => changes.size,
  );
  const senderDrops = new SenderDrops();
  for (const source of table.sources()) senderDrops.report(source.key, BigInt(source.droppedReported));

  // Under ingest nearly every message is a change; build an event only when someone follows.
  table.onChange((event) => {
    if (changes.size === 0) return;
    changes.publish({ kind: event.type, backend: event.backend, username: event.username, vuser: event.vuser, time: new Date(event.at).toISOString() });
  });

  const socketPath = ipcPath(config.endpoint);
  if (socketPath !== undefined) {
    await prepareIpcSocket(socketPath, { mode: config.socketMode, group: config.socketGroup }, log);
  }
  const receiver = new FrameReceiver(config.endpoint, config.maxFrameBytes * SOCKET_SIZE_FACTOR);
  const endpoint = await receiver.bind().catch((error: unknown) => {
    throw new StartupError(`cannot bind ${config.endpoint} (${describe(error)}): stop the process using it or choose another --endpoint.`);
  });
  if (socketPath !== undefined) openSocketToGroup(socketPath, config.socketGroup);
  const newmail = await startNewmail({
    config,
    table,
    registry: metrics.registry,
    log,
    published: (notification) => {
      if (changes.size > 0) changes.publish({ kind: 'newmail', ...notification, time: new Date().toISOString() });
    },
  }).catch(async (error: unknown) => {
    await receiver.close();
    if (socketPath !== undefined) removeSocketFile(socketPath);
    throw error instanceof SocketDirError ? error : new StartupError(describe(error));
  });

  const app = createHttpApi({
    table,
    metrics,
    changes,
    log,
    version: VERSION,
    endpoint,
    startedAt,
    isReady: () => ready,
    purged: (key) => {
      senderDrops.forget(key);
      saver.markDirty();
    },
  });
  newmail.register(app);
  let httpUrl: string;
  try {
    httpUrl = await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await receiver.close();
    await newmail.close();
    if (socketPath !== undefined) removeSocketFile(socketPath);
    throw new StartupError(
      `cannot serve HTTP on ${config.http.host}:${config.http.port} (${describe(error)}): stop the process using it or choose another --http.`,
    );
  }
  if (!isLoopback(config.http.host)) log.warn({ httpUrl }, 'the HTTP API listens beyond loopback: anyone who can reach it can read and purge the table');

  const handle = createMessageHandler({
    table,
    metrics,
    rejectionLog: new RateLimitedLog(log, config.rejectionLogIntervalMs),
    senderDrops,
    maxFrameBytes: config.maxFrameBytes,
    changed: () => saver.markDirty(),
  });
  const receiving = receiver.start(handle);

  const stopExpiry = startExpiry(table, config.minLeaseMs, (expired) => {
    metrics.expirations.inc(expired.length);
    for (const source of expired) {
      senderDrops.forget(source.key);
      log.info({ source: source.key, registrations: source.registrations, lastHeardAt: new Date(source.lastHeardAt).toISOString() }, 'expired a silent source');
    }
    saver.markDirty();
  });
  saver.start();
  ready = true;

  const backendSetup = `export MAPISTORE_MGMT_ENDPOINT=${endpoint}`;
  log.info({ endpoint, httpUrl, newmailEndpoint: newmail.endpoint, stateDir: config.stateDir, backendSetup }, `mapistore-mgmt notifier ready; point backends at it with: ${backendSetup}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      stopExpiry();
      saver.stop();
      await receiver.close();
      await newmail.close();
      if (socketPath !== undefined) removeSocketFile(socketPath);
      if (saver.save()) log.info({ path: statePath, sources: table.sourceCount }, 'saved the table');
      changes.close();
      await app.close();
    })());

  return { endpoint, httpUrl, table, stop, receiving };
}
