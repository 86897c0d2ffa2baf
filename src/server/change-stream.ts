// SPDX-License-Identifier: GPL-3.0-or-later
// GET /v1/events: server-sent events, one per change of a triple's registered state and one per
// new-mail notification; a client may follow one username only.
import type { ServerResponse } from 'node:http';
import type { ChangeEvent as TableChange } from '../table/types.js';
import type { ChangeEvent, NewmailStreamEvent } from './api-types.js';

/** A client that cannot keep up is dropped rather than buffered without bound, so the streams
 * hold at most about this times --max-event-subscribers. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line now and then keeps idle connections open through proxies. */
const KEEPALIVE_MS = 15_000;

/**
 * One follower. While its socket takes what is written, events go straight to it; once the
 * socket pushes back, they gather in `pending` (one string, not one buffered write per event:
 * cutting a client with thousands of buffered writes costs an error object for each) and go
 * out in one write at the next 'drain'.
 */
interface Client {
  response: ServerResponse;
  /** The only username it follows (undefined: all). */
  follows: string | undefined;
  pending: string;
  pendingBytes: number;
  waiting: boolean;
}

export class ChangeStream {
  private readonly clients = new Set<Client>();
  private readonly keepalive: NodeJS.Timeout;
  /** Clients dropped for falling MAX_BUFFERED_BYTES behind, since start. */
  cut = 0;

  /** `maxClients`: clients followed at once (--max-event-subscribers). */
  constructor(readonly maxClients: number) {
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** True when one more client would pass `maxClients`. */
  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /** Takes over a raw response: sends the SSE headers and keeps it until the client leaves. */
  subscribe(response: ServerResponse, username?: string): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const client: Client = { response, follows: username, pending: '', pendingBytes: 0, waiting: false };
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
    this.send(client, ': mapistore-mgmt change stream\n\n', 0);
  }

  /** Sends a change of the table to the clients following its username or everyone. */
  publish({ kind, backend, username, vuser, at }: TableChange): void {
    // A literal, not a spread copy: V8 gives each of those a hidden class of its own.
    const event: ChangeEvent = { kind, backend, username, vuser, time: new Date(at).toISOString() };
    this.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`, event.username);
  }

  /** Sends a new-mail notification to the clients following its username or everyone. */
  publishNewmail(event: NewmailStreamEvent): void {
    this.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`, event.username);
  }

  /** Ends every stream (on shutdown, so the HTTP server can close). */
  close(): void {
    clearInterval(this.keepalive);
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  /** Writes to every client, or only to those following `username` or everyone. */
  private write(text: string, username?: string): void {
    if (this.clients.size === 0) return;
    const bytes = Buffer.byteLength(text);
    for (const client of this.clients) {
      if (username !== undefined && client.follows !== undefined && client.follows !== username) continue;
      this.send(client, text, bytes);
    }
  }

  private send(client: Client, text: string, bytes: number): void {
    if (!client.waiting) {
      if (!client.response.write(text)) this.waitForDrain(client);
      return;
    }
    if (client.pendingBytes + bytes > MAX_BUFFERED_BYTES) {
      this.cut++;
      this.clients.delete(client);
      client.response.destroy();
      return;
    }
    client.pending += text;
    client.pendingBytes += bytes;
  }

  private waitForDrain(client: Client): void {
    client.waiting = true;
    client.response.once('drain', () => {
      client.waiting = false;
      const text = client.pending;
      client.pending = '';
      client.pendingBytes = 0;
      if (text !== '' && !client.response.write(text)) this.waitForDrain(client);
    });
  }
}
