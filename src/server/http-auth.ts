// SPDX-License-Identifier: GPL-3.0-or-later
// Who may use the HTTP API: the Host header must name this notifier (DNS rebinding), a bearer
// token guards every change (purge) and, with scope `all`, every read; a known path asked
// with another method answers 405 with Allow. Installed on the app before its routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Counter, type Registry } from 'prom-client';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { HttpAuthOptions } from './http-auth-options.js';

/** Probes answer without a token: they tell nothing about the table. */
const OPEN_PATHS = new Set(['/healthz', '/readyz']);
const READ_METHODS = new Set(['GET', 'HEAD']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The token an Authorization header presents: a bearer token, or the password of HTTP Basic
 * credentials (Dovecot's OX push driver sends those from its URL; the user name is not checked). */
function presentedToken(header: string | undefined): string | undefined {
  const bearer = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  const basic = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '')?.[1];
  if (basic === undefined) return undefined;
  const credentials = Buffer.from(basic, 'base64').toString('utf8');
  return credentials.includes(':') ? credentials.slice(credentials.indexOf(':') + 1) : undefined;
}

/** True when the Authorization header carries `token`, compared in constant time. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = presentedToken(header);
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

/** `pattern` as fastify writes it (`/a/:b`, `/a/*`) against a request path. */
function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  for (const [index, part] of want.entries()) {
    if (part === '*') return true;
    const actual = got[index];
    if (actual === undefined || (part.startsWith(':') ? actual === '' : actual !== part)) return false;
  }
  return want.length === got.length;
}

/** Why a request was refused, as counted in mapistore_mgmt_http_refusals_total. */
const REFUSALS = ['forbidden-host', 'no-token-configured', 'unauthorized'] as const;

export function installHttpAuth<Log extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Log>,
  options: HttpAuthOptions,
  registry: Registry,
): void {
  const refusals = new Counter({
    name: 'mapistore_mgmt_http_refusals_total',
    help: 'HTTP requests refused by the Host check or the bearer token, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of REFUSALS) refusals.inc({ reason }, 0);
  const hosts = new Set(['localhost', ...options.allowedHosts.map((host) => host.toLowerCase())]);
  const routes: Array<{ url: string; methods: string[] }> = [];

  app.addHook('onRoute', (route) => {
    routes.push({ url: route.url, methods: ([] as string[]).concat(route.method) });
  });

  app.addHook('onRequest', async (request, reply) => {
    const hostname = request.hostname.replace(/^\[(.*)\]$/, '$1');
    // A literal address cannot be rebound: rebinding needs a name whose DNS the attacker controls.
    if (isIP(hostname) === 0 && !hosts.has(hostname.toLowerCase())) {
      refusals.inc({ reason: 'forbidden-host' });
      return reply.code(403).send({
        error: 'forbidden-host',
        message: `Host "${request.host}" is not a name of this notifier: use an address, localhost, or a name given to --http-allowed-hosts`,
      });
    }
    if (request.is404) return undefined;
    const reads = READ_METHODS.has(request.method);
    if (reads && (options.scope === 'writes' || OPEN_PATHS.has(request.routeOptions.url ?? ''))) return undefined;
    if (options.token === undefined) {
      refusals.inc({ reason: 'no-token-configured' });
      return reply.code(403).send({ error: 'no-token-configured', message: 'changes need a token: start serve with --http-token-file' });
    }
    if (!tokenMatches(request.headers.authorization, options.token)) {
      refusals.inc({ reason: 'unauthorized' });
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="mapistore-mgmt"')
        .send({ error: 'unauthorized', message: 'this request needs the bearer token (give the client --http-token-file or MAPISTORE_MGMT_HTTP_TOKEN)' });
    }
    return undefined;
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allow = [...new Set(routes.filter((route) => matches(route.url, path)).flatMap((route) => route.methods))];
    if (allow.length > 0) {
      return reply
        .code(405)
        .header('allow', allow.join(', '))
        .send({ error: 'method-not-allowed', message: `${request.method} is not allowed on ${path}; allowed: ${allow.join(', ')}` });
    }
    return reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${path}` });
  });
}
