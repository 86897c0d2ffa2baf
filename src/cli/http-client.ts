// Talks to a running notifier's HTTP API for the query commands.
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

/** Sends a request and returns the response, turning connection failures into a CliError. */
export async function send(baseUrl: string, method: string, path: string, timeoutMs = 10_000): Promise<Response> {
  try {
    return await fetch(`${baseUrl}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw unreachable(baseUrl);
  }
}

/** Like `send` without a timeout, for the change stream. */
export async function openStream(baseUrl: string, path: string): Promise<Response> {
  try {
    return await fetch(`${baseUrl}${path}`, { headers: { accept: 'text/event-stream' } });
  } catch {
    throw unreachable(baseUrl);
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
export async function getJson<T>(baseUrl: string, path: string): Promise<T> {
  const response = await send(baseUrl, 'GET', path);
  if (!response.ok) throw new CliError(`the notifier refused the query: ${await describeFailure(response)}`);
  try {
    return (await response.json()) as T;
  } catch {
    throw new CliError(`${baseUrl} answered, but not with JSON: is it a mapistore-mgmt notifier? (set --http or MAPISTORE_MGMT_HTTP)`);
  }
}

/**
 * GETs every row of a paged listing (`{ [field]: rows, next }`), following `next` from page to
 * page, or only the first `limit` rows when given. Rows present throughout come exactly once.
 */
export async function getAllPages<Row>(baseUrl: string, path: string, field: string, limit?: number): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    if (cursor !== null) query.set('cursor', cursor);
    query.set('limit', String(Math.min((limit ?? Number.POSITIVE_INFINITY) - rows.length, MAX_PAGE)));
    const separator = path.includes('?') ? '&' : '?';
    const page = await getJson<Record<string, unknown>>(baseUrl, `${path}${separator}${query}`);
    const pageRows = page[field];
    if (!Array.isArray(pageRows) || (page.next !== null && typeof page.next !== 'string')) {
      throw new CliError(`${baseUrl} answered ${path} without a page of ${field}: is it a mapistore-mgmt notifier of this version?`);
    }
    rows.push(...(pageRows as Row[]));
    cursor = page.next;
  } while (cursor !== null && (limit === undefined || rows.length < limit));
  return rows;
}
