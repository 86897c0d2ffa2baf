// GET /v1/events: server-sent events, one per change of a triple's registered state and one per
// new-mail notification; a client may follow one username only.
import type { ServerResponse } from 'node:http';
import type { ChangeEvent as TableChange } from '../table/types.js';
import type { ChangeEvent, NewmailStreamEvent } from './api-types.js';

/** A client that cannot keep up is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line now and then keeps idle connections open through proxies. */
const KEEPALIVE_MS = 15_000;

export class ChangeStream {
  /** Each client, with the only username it follows (undefined: all). */
  private readonly clients = new Map<ServerResponse, string | undefined>();
  private readonly keepalive: NodeJS.Timeout;

  constructor() {
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a raw response: sends the SSE headers and keeps it until the client leaves. */
  subscribe(response: ServerResponse, username?: string): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(': mapistore-mgmt change stream\n\n');
    this.clients.set(response, username);
    response.on('close', () => this.clients.delete(response));
  }

  /** Sends a change of the table to the clients following its username or everyone. */
  publish({ at, ...change }: TableChange): void {
    const event: ChangeEvent = { ...change, time: new Date(at).toISOString() };
    this.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`, event.username);
  }

  /** Sends a new-mail notification to the clients following its username or everyone. */
  publishNewmail(event: NewmailStreamEvent): void {
    this.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`, event.username);
  }

  /** Ends every stream (on shutdown, so the HTTP server can close). */
  close(): void {
    clearInterval(this.keepalive);
    for (const client of this.clients.keys()) client.end();
    this.clients.clear();
  }

  /** Writes to every client, or only to those following `username` or everyone. */
  private write(text: string, username?: string): void {
    for (const [client, follows] of this.clients) {
      if (username !== undefined && follows !== undefined && follows !== username) continue;
      if (client.writableLength > MAX_BUFFERED_BYTES) client.destroy();
      else client.write(text);
    }
  }
}
