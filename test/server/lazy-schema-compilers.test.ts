// SPDX-License-Identifier: GPL-3.0-or-later
// Fastify with the lazy schema compilers answers every request as with the compilers it
// installs itself, and compiles a route's schemas only when the route is first asked for.
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../../src/server/lazy-schema-compilers.js';

const ajv = { customOptions: { removeAdditional: false } } as const;

function app(lazy: boolean, querystring: object = { type: 'object', properties: { n: { type: 'integer', minimum: 1, default: 5 }, s: { type: 'string', minLength: 1 } }, additionalProperties: false }): FastifyInstance {
  const server = Fastify(lazy ? { ajv, schemaController: lazySchemaCompilers() } : { ajv });
  server.get('/q', { schema: { querystring, response: { 200: { type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string' } } } } } }, async (request) => ({ ...(request.query as object), hidden: 'not in the schema' }));
  server.post('/b', { schema: { body: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }, maxItems: 2 } } }, async (request) => request.body);
  return server;
}

const requests = [
  { method: 'GET', url: '/q' },
  { method: 'GET', url: '/q?n=7&s=x' },
  { method: 'GET', url: '/q?n=0' },
  { method: 'GET', url: '/q?n=seven' },
  { method: 'GET', url: '/q?s=' },
  { method: 'GET', url: '/q?unknown=1' },
  { method: 'POST', url: '/b', payload: [{ id: 1 }, { id: '2' }] },
  { method: 'POST', url: '/b', payload: [{ id: 1 }, {}] },
  { method: 'POST', url: '/b', payload: [{ id: 1 }, { id: 2 }, { id: 3 }] },
  { method: 'POST', url: '/b', payload: { id: 1 } },
] as const;

describe('the lazy schema compilers', () => {
  it('answer as fastify\'s own compilers do', async () => {
    const [eager, lazy] = [app(false), app(true)];
    for (const request of requests) {
      const [expected, actual] = await Promise.all([eager.inject(request), lazy.inject(request)]);
      expect({ request, status: actual.statusCode, body: actual.body }).toEqual({ request, status: expected.statusCode, body: expected.body });
    }
    expect((await lazy.inject(requests[1])).json()).toEqual({ n: 7, s: 'x' });
    expect((await lazy.inject(requests[2])).statusCode).toBe(400);
  });

  it('compile a route\'s schema when it is first asked for, not at start', async () => {
    const broken = { type: 'object', properties: { n: { type: 'integer', minimum: 1, nope: true } } };
    await expect(app(false, broken).ready()).rejects.toThrow(/strict mode: unknown keyword: "nope"/);
    const lazy = app(true, broken);
    await lazy.ready();
    expect((await lazy.inject({ method: 'GET', url: '/q' })).statusCode).toBe(500);
  });
});
