// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail side of the notifier, wired by notifier.ts: the PUB socket (in an ipc directory
// prepared like the PULL socket's), the router over the table, the counters and the routes.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ipcPath, openSocketToGroup, prepareIpcSocket, removeSocketFile } from '../server/ipc-socket-dir.js';
import { RateLimitedLog } from '../server/rate-limited-log.js';
import type { RegistrationTable } from '../table/table.js';
import { defaultPublishEndpoint, type NewmailConfig } from './config.js';
import { NewmailMetrics } from './metrics.js';
import type { Notification } from './notification.js';
import { mapOxUser } from './ox-mapping.js';
import { NotificationPublisher } from './publisher.js';
import { NewmailRouter } from './router.js';
import { registerNewmailRoutes } from './routes.js';

export interface NewmailServiceDeps {
  config: NewmailConfig & { endpoint: string; socketMode: number; socketGroup?: string; rejectionLogIntervalMs: number };
  table: RegistrationTable;
  registry: Registry;
  log: Logger;
  /** Also called for each published notification (the change stream). */
  published?: (notification: Notification) => void;
  /** The ZAP domain of the ipc peer check (--ipc-allow-users/-groups), so subscribers pass it too. */
  zapDomain?: string;
}

export interface NewmailService {
  /** The PUB endpoint as bound. */
  endpoint: string;
  register<Log extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Log>): void;
  close(): Promise<void>;
}

/** Binds the PUB socket; throws (the message says which endpoint) when it cannot. */
export async function startNewmail({ config, table, registry, log, published, zapDomain }: NewmailServiceDeps): Promise<NewmailService> {
  const wanted = config.newmailEndpoint ?? defaultPublishEndpoint(config.endpoint);
  const socketPath = ipcPath(wanted);
  if (socketPath !== undefined) await prepareIpcSocket(socketPath, { mode: config.socketMode, group: config.socketGroup }, log);
  const publisher = new NotificationPublisher(wanted, zapDomain === undefined ? {} : { zapDomain, zapEnforceDomain: true });
  const endpoint = await publisher.bind().catch(async (error: unknown) => {
    await publisher.close();
    throw new Error(`cannot bind the new-mail socket ${wanted} (${error instanceof Error ? error.message : String(error)}): choose another --newmail-endpoint.`);
  });
  if (socketPath !== undefined) openSocketToGroup(socketPath, config.socketGroup);

  const metrics = new NewmailMetrics(registry, () => publisher.subscriptions);
  const router = new NewmailRouter({
    table,
    metrics,
    deliver: (notification) => {
      publisher.publish(notification);
      published?.(notification);
    },
  });
  const backends = new Set([...config.newmailBackends, config.oxBackend]);
  return {
    endpoint,
    register: (app) =>
      registerNewmailRoutes(app, {
        router,
        metrics,
        rejectionLog: new RateLimitedLog(log, config.rejectionLogIntervalMs),
        backends,
        mapOxUser: (user) => mapOxUser(config.oxBackend, config.oxVuser, user),
      }),
    close: async () => {
      await publisher.close();
      if (socketPath !== undefined) removeSocketFile(socketPath);
    },
  };
}
