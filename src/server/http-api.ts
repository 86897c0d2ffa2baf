// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP surface (fastify): the JSON API under /v1, the change stream, Prometheus metrics,
// and health/readiness. Every /v1 query string is checked (query-schema.ts); a bad one gets a 400.
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import { tripleKey } from '../protocol/triple.js';
import type { RegistrationTable } from '../table/table.js';
import type { SourceRow } from '../table/types.js';
import { SourceViewSchema, UserEntrySchema, type RegisteredUsers, type SourcesPage, type SourceView, type Status, type UsersPage } from './api-types.js';
import type { ChangeStream } from './change-stream.js';
import { decodeCursor, encodeCursor, isName, isSourceKey, isTripleKey } from './cursor.js';
import type { HttpAuthOptions } from './http-auth-options.js';
import { installHttpAuth } from './http-auth.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import type { NotifierMetrics } from './metrics.js';
import { PAGE, queryOnly } from './query-schema.js';
import type { RateLimitedLog } from './rate-limited-log.js';

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
  /** Where refused requests are logged, at most once per interval. */
  refusalLog: RateLimitedLog;
  auth: HttpAuthOptions;
  /** Called after a purge removed a source. */
  purged: (key: string) => void;
}

/**
 * The route schemas' validator options. An unknown query parameter is a mistake to report
 * (400), not a filter to drop silently. The schemas are constants, checked against JSON
 * Schema's meta-schema by a test (route-schemas.test.ts), not at each start: that check has
 * ajv compile the meta-schema first, a tenth of the notifier's start.
 */
export const AJV_OPTIONS = { removeAdditional: false, validateSchema: false } as const;

const noQuery = queryOnly([]);

/** Triples a `?vuser=` listing (the one filter without an index) examines per page at most. */
const SCAN_BUDGET = 20_000;

interface Paging {
  cursor?: string;
  limit: number;
}

const BAD_CURSOR = { error: 'Bad Request', message: 'query parameter "cursor" must be the "next" of a previous page, given once' };

/** The response schema of a page of `items` named `name`. */
function pageSchema(name: string, items: object) {
  return {
    200: {
      type: 'object',
      properties: { [name]: { type: 'array', items }, next: { type: ['string', 'null'] } },
      required: [name, 'next'],
    },
  };
}

const REGISTERED_USERS_SCHEMA = {
  200: {
    type: 'object',
    properties: { backend: { type: 'string' }, vuser: { type: 'string' }, usernames: { type: 'array', items: { type: 'string' } }, next: { type: ['string', 'null'] } },
    required: ['backend', 'vuser', 'usernames', 'next'],
  },
};

function sourceView(row: SourceRow): SourceView {
  return { ...row, lastHeardAt: new Date(row.lastHeardAt).toISOString(), expiresAt: new Date(row.expiresAt).toISOString() };
}

export function createHttpApi(deps: HttpApiDeps) {
  const { table, metrics } = deps;
  const app = Fastify({
    // null: plain HTTP.
    https: deps.auth.tls ?? null,
    loggerInstance: deps.log.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    // Requests are not logged, so a child logger per request (for its reqId) would bind an id
    // that no line shares, and cost an allocation and a tracked child (logger.ts) per request.
    childLoggerFactory: (logger) => logger,
    ajv: { customOptions: AJV_OPTIONS },
    schemaController: lazySchemaCompilers(),
  });
  installHttpAuth(app, deps.auth, metrics.registry);

  app.get<{ Querystring: { backend?: string; vuser?: string; username?: string } & Paging }>(
    '/v1/users',
    queryOnly(['backend', 'vuser', 'username'], [], pageSchema('users', UserEntrySchema), true),
    async (request, reply): Promise<UsersPage> => {
      const { cursor, limit, backend, vuser, username } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor, isTripleKey);
      if (cursor !== undefined && after === undefined) return reply.code(400).send(BAD_CURSOR);
      const page = table.usersPage({ backend, vuser, username }, after, limit, SCAN_BUDGET);
      return { users: page.rows, next: page.next === undefined ? null : encodeCursor(page.next) };
    },
  );

  // Paged like the listings, from the same index; the cursor carries the last username.
  app.get<{ Querystring: { backend: string; vuser: string } & Paging }>(
    '/v1/registered-users',
    queryOnly(['backend', 'vuser'], ['backend', 'vuser'], REGISTERED_USERS_SCHEMA, PAGE.registeredUsersDefaultLimit),
    async (request, reply): Promise<RegisteredUsers> => {
      const { backend, vuser, cursor, limit } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor, isName);
      if (cursor !== undefined && after === undefined) return reply.code(400).send(BAD_CURSOR);
      const page = table.usersPage({ backend, vuser }, after === undefined ? undefined : tripleKey(backend, after, vuser), limit);
      const usernames = page.rows.map((row) => row.username);
      return { backend, vuser, usernames, next: page.next === undefined ? null : encodeCursor(usernames[usernames.length - 1] as string) };
    },
  );

  app.get<{ Querystring: Paging }>('/v1/sources', queryOnly([], [], pageSchema('sources', SourceViewSchema), true), async (request, reply): Promise<SourcesPage> => {
    const { cursor, limit } = request.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor, isSourceKey);
    if (cursor !== undefined && after === undefined) return reply.code(400).send(BAD_CURSOR);
    const page = table.sourcesPage(after, limit);
    return { sources: page.rows.map(sourceView), next: page.next === undefined ? null : encodeCursor(page.next) };
  });

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
    if (deps.changes.full) {
      metrics.eventSubscribersRefused.inc();
      deps.refusalLog.warn('too-many-subscribers', { max: deps.changes.maxClients }, 'refused a change-stream client: too many follow already');
      return reply.code(503).send({
        error: 'too-many-subscribers',
        message: `${deps.changes.maxClients} clients already follow the change stream (--max-event-subscribers); try again later`,
      });
    }
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
