// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP API's route schemas (its own and the new-mail routes') are valid JSON Schema: the
// notifier's ajv skips that check at start (http-api.ts, AJV_OPTIONS), so it is made here, by a
// fastify with the check on.
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import type { NewmailRoutesDeps } from '../../src/newmail/routes.js';
import type { HttpApiDeps } from '../../src/server/http-api.js';

const routes = vi.hoisted((): RouteOptions[] => []);

// Every fastify the API builds reports its routes here, schemas included.
vi.mock('fastify', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fastify')>();
  const recording = ((options: object) => {
    const app = actual.default(options) as FastifyInstance;
    app.addHook('onRoute', (route) => void routes.push(route));
    return app;
  }) as unknown as typeof actual.default;
  return { ...actual, default: recording };
});

const { AJV_OPTIONS, createHttpApi } = await import('../../src/server/http-api.js');
const { registerNewmailRoutes } = await import('../../src/newmail/routes.js');

/** Resolves when a fastify that checks schemas against the meta-schema accepts every route of `schemas`. */
async function checkedByFastify(schemas: RouteOptions[]): Promise<void> {
  const checker = (await vi.importActual<typeof import('fastify')>('fastify')).default({ ajv: { customOptions: { ...AJV_OPTIONS, validateSchema: true } } });
  for (const [i, route] of schemas.entries()) checker.route({ method: route.method, url: `/${i}`, schema: route.schema, handler: async () => ({}) });
  await checker.ready();
  await checker.close();
}

describe('the route schemas', () => {
  it('are valid JSON Schema', async () => {
    const deps = {
      metrics: { registry: new Registry() },
      log: pino({ level: 'silent' }),
      auth: { scope: 'changes', allowedHosts: [] },
    } as unknown as HttpApiDeps;
    const app = createHttpApi(deps);
    registerNewmailRoutes(app, {} as NewmailRoutesDeps);
    await app.ready();
    const withSchemas = routes.filter((route) => route.schema?.querystring !== undefined || route.schema?.body !== undefined);
    expect(withSchemas.map((route) => route.url)).toEqual(
      expect.arrayContaining(['/v1/users', '/v1/registered-users', '/v1/sources', '/v1/sources/*', '/v1/status', '/v1/events', '/v1/newmail', '/v1/newmail/ox']),
    );
    await expect(checkedByFastify(withSchemas)).resolves.toBeUndefined();
  });

  it('would refuse one that is not', async () => {
    const bad = { method: 'GET', url: '/', handler: async () => ({}), schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 'one' } } } } } as RouteOptions;
    await expect(checkedByFastify([bad])).rejects.toThrow(/schema is invalid/);
  });
});
