// SPDX-License-Identifier: GPL-3.0-or-later
// Talks to a running notifier's HTTP API for the query commands.
import { HttpAuthError, readTokenFile } from '../server/http-token.js';
import type { NotifierTarget } from './common-options.js';
import { PAGE } from '../server/query-schema.js';

/** The largest page the notifier serves. */
const MAX_PAGE = PAGE.maxLimit;

/** A failure to report to the user as is; exit status 1 unless told (2: fix the invocation). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function unreachable(baseUrl: string): CliError {
  return new CliError(
    `cannot reach the notifier at ${baseUrl} (is \`mapistore-mgmt serve\` running? set --http or MAPISTORE_MGMT_HTTP)`,
  );
}

/** The Authorization header for `target`: its token file, else $MAPISTORE_MGMT_HTTP_TOKEN, else none. */
function authorization(target: NotifierTarget): Record<string, string> {
  let token = process.env.MAPISTORE_MGMT_HTTP_TOKEN?.trim() || undefined;
  if (target.httpTokenFile !== undefined) {
    try {
      token = readTokenFile(target.httpTokenFile);
    } catch (error) {
      if (error instanceof HttpAuthError) throw new CliError(error.message, 2);
      throw error;
    }
  }
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** Sends a request and returns the response, turning connection failures into a CliError. */
export async function send(target: NotifierTarget, method: string, path: string, timeoutMs = 10_000): Promise<Response> {
  const headers = authorization(target);
  try {
    return await fetch(`${target.http}${path}`, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw unreachable(target.http);
  }
}

/** Like `send` without a timeout, for the change stream. */
export async function openStream(target: NotifierTarget, path: string): Promise<Response> {
  const headers = { ...authorization(target), accept: 'text/event-stream' };
  try {
    return await fetch(`${target.http}${path}`, { headers });
  } catch {
    throw unreachable(target.http);
  }
}

/** The error message of a non-2xx JSON answer, else its status line. */
export async function describeFailure(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: fall back to the status.
  }
  return `HTTP ${response.status} ${response.statusText}`;
}

/** GETs a JSON document; a non-2xx or non-JSON answer becomes a CliError. */
export async function getJson<T>(target: NotifierTarget, path: string): Promise<T> {
  const response = await send(target, 'GET', path);
  if (!response.ok) throw new CliError(`the notifier refused the query: ${await describeFailure(response)}`);
  try {
    return (await response.json()) as T;
  } catch {
    throw new CliError(`${target.http} answered, but not with JSON: is it a mapistore-mgmt notifier? (set --http or MAPISTORE_MGMT_HTTP)`);
  }
}

/**
 * GETs every row of a paged listing (`{ [field]: rows, next }`), following `next` from page to
 * page, or only the first `limit` rows when given. Rows present throughout come exactly once.
 */
export async function getAllPages<Row>(target: NotifierTarget, path: string, field: string, limit?: number): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    if (cursor !== null) query.set('cursor', cursor);
    query.set('limit', String(Math.min((limit ?? Number.POSITIVE_INFINITY) - rows.length, MAX_PAGE)));
    const separator = path.includes('?') ? '&' : '?';
    const page = await getJson<Record<string, unknown>>(target, `${path}${separator}${query}`);
    const pageRows = page[field];
    if (!Array.isArray(pageRows) || (page.next !== null && typeof page.next !== 'string')) {
      throw new CliError(`${target.http} answered ${path} without a page of ${field}: is it a mapistore-mgmt notifier of this version?`);
    }
    rows.push(...(pageRows as Row[]));
    cursor = page.next;
  } while (cursor !== null && (limit === undefined || rows.length < limit));
  return rows;
}
