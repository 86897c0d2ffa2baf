// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP access settings of a start (the token and TLS files read, the address checked), apart
// from the hook that enforces them (http-auth.ts): they are checked before the message socket
// binds, and the hook's metrics (prom-client) load after it.
import type { ServeConfig } from './config.js';
import { HttpAuthError, readPemFile, readTokenFile } from './http-token.js';

/** What the token guards: changes only, or every route but the health probes. */
export type HttpAuthScope = 'writes' | 'all';

export interface HttpAuthOptions {
  /** Without one, changes are refused (403) and reads are open. */
  token?: string;
  scope: HttpAuthScope;
  /** Host names besides `localhost` and literal addresses that requests may carry. */
  allowedHosts: readonly string[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: Buffer; cert: Buffer };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') || host.startsWith('::ffff:127.');
}

/** The HTTP settings of `config`, the token read; refuses (HttpAuthError) an address beyond
 * loopback or scope `all` without a token. */
export function httpAuthOptions(config: ServeConfig): HttpAuthOptions {
  const token = config.httpTokenFile === undefined ? undefined : readTokenFile(config.httpTokenFile);
  if (token === undefined && !isLoopbackHost(config.http.host)) {
    throw new HttpAuthError(
      `--http ${config.http.host} listens beyond loopback without a token: give --http-token-file (anyone reaching it could read and purge the table), or listen on 127.0.0.1.`,
    );
  }
  if (token === undefined && config.httpAuth === 'all') throw new HttpAuthError('--http-auth all needs a token: give --http-token-file.');
  return { token, scope: config.httpAuth, allowedHosts: config.httpAllowedHosts, tls: readTls(config) };
}

function readTls(config: ServeConfig): HttpAuthOptions['tls'] {
  const { httpTlsCertFile: certFile, httpTlsKeyFile: keyFile } = config;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new HttpAuthError('--http-tls-cert-file and --http-tls-key-file go together.');
  return { cert: readPemFile(certFile, false), key: readPemFile(keyFile, true) };
}

