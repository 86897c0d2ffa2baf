// GET /v1/events: server-sent events, one per change of a triple's registered state.
import type { ServerResponse } from 'node:http';
import type { ChangeEvent as TableChange } from '../table/types.js';
import type { ChangeEvent } from './api-types.js';

/** A client that cannot keep up is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line now and then keeps idle connections open through proxies. */
const KEEPALIVE_MS = 15_000;

export class ChangeStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepalive: NodeJS.Timeout;

  constructor() {
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a raw response: sends the SSE headers and keeps it until the client leaves. */
  subscribe(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(': mapistore-mgmt change stream\n\n');
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  /** Sends a change of the table to every client. */
  publish({ at, ...change }: TableChange): void {
    const event: ChangeEvent = { ...change, time: new Date(at).toISOString() };
    this.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Ends every stream (on shutdown, so the HTTP server can close). */
  close(): void {
    clearInterval(this.keepalive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) {
      if (client.writableLength > MAX_BUFFERED_BYTES) client.destroy();
      else client.write(text);
    }
  }
}
