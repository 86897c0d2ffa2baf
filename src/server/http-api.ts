// The HTTP surface (fastify): the JSON API under /v1, the change stream, Prometheus metrics,
// and health/readiness. Every /v1 query string is checked (query-schema.ts); a bad one gets a 400.
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { RegistrationTable } from '../table/table.js';
import type { SourceRow } from '../table/types.js';
import type { RegisteredUsers, SourceView, Status, UserEntry } from './api-types.js';
import type { ChangeStream } from './change-stream.js';
import { installHttpAuth, type HttpAuthOptions } from './http-auth.js';
import type { NotifierMetrics } from './metrics.js';
import { queryOnly } from './query-schema.js';

export interface HttpApiDeps {
  table: RegistrationTable;
  metrics: NotifierMetrics;
  changes: ChangeStream;
  log: Logger;
  version: string;
  endpoint: string;
  startedAt: number;
  /** Why the notifier is not ready (GET /readyz): empty when it is. */
  notReady: () => string[];
  auth: HttpAuthOptions;
  /** Called after a purge removed a source. */
  purged: (key: string) => void;
}

const noQuery = queryOnly([]);

const userEntry = {
  type: 'object',
  properties: { backend: { type: 'string' }, username: { type: 'string' }, vuser: { type: 'string' }, count: { type: 'integer' } },
  required: ['backend', 'username', 'vuser', 'count'],
} as const;

function sourceView(row: SourceRow): SourceView {
  return {
    key: row.key,
    host: row.host,
    pid: row.pid,
    epoch: row.epoch,
    triples: row.triples,
    registrations: row.registrations,
    lastSeq: row.lastSeq,
    intervalMs: row.intervalMs,
    leaseMs: row.leaseMs,
    lastHeardAt: new Date(row.lastHeardAt).toISOString(),
    expiresAt: new Date(row.expiresAt).toISOString(),
    droppedReported: row.droppedReported,
    gaps: row.gaps,
    restored: row.restored,
  };
}

export function createHttpApi(deps: HttpApiDeps) {
  const { table, metrics } = deps;
  const app = Fastify({
    // null: plain HTTP.
    https: deps.auth.tls ?? null,
    loggerInstance: deps.log.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    // An unknown query parameter is a mistake to report (400), not a filter to drop silently.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installHttpAuth(app, deps.auth, metrics.registry);

  app.get<{ Querystring: { backend?: string; vuser?: string; username?: string } }>(
    '/v1/users',
    queryOnly(['backend', 'vuser', 'username'], [], { 200: { type: 'array', items: userEntry } }),
    async (request): Promise<UserEntry[]> => table.users(request.query),
  );

  app.get<{ Querystring: { backend: string; vuser: string } }>(
    '/v1/registered-users',
    queryOnly(['backend', 'vuser'], ['backend', 'vuser']),
    async (request): Promise<RegisteredUsers> => {
      const { backend, vuser } = request.query;
      return { backend, vuser, usernames: table.registeredUsers(backend, vuser) };
    },
  );

  app.get('/v1/sources', noQuery, async (): Promise<SourceView[]> => table.sources().map(sourceView));

  // The key is host/pid/epoch: a wildcard takes its slashes as they are (or %2F-encoded);
  // fastify has already percent-decoded it.
  app.delete<{ Params: { '*': string } }>('/v1/sources/*', noQuery, async (request, reply) => {
    const key = request.params['*'];
    if (!table.purge(key)) return reply.code(404).send({ error: 'not-found', message: `no source ${key}` });
    deps.log.info({ source: key }, 'purged a source');
    deps.purged(key);
    return { purged: key };
  });

  app.get('/v1/status', noQuery, async (): Promise<Status> => ({
    version: deps.version,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    endpoint: deps.endpoint,
    ready: deps.notReady().length === 0,
    counters: await metrics.statusCounters(),
    sizes: { sources: table.sourceCount, users: table.userCount, registrations: table.registrationCount },
  }));

  app.get<{ Querystring: { username?: string } }>('/v1/events', queryOnly(['username']), (request, reply) => {
    reply.hijack();
    deps.changes.subscribe(reply.raw, request.query.username);
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.exposition();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const reasons = deps.notReady();
    return reply.code(reasons.length === 0 ? 200 : 503).send({ ready: reasons.length === 0, reasons });
  });

  return app;
}
