// SPDX-License-Identifier: GPL-3.0-or-later
// A minimal HTTP/1.1 client for latency figures: one kept-alive connection, one GET at a time,
// the request written as one string and the answer read up to its Content-Length. Node's http
// client costs about as much as the notifier's answer (and its garbage collections land in the
// tail), so with it a latency figure measures the client nearly as much as the server.
import { connect } from 'node:net';

export class LeanHttpClient {
  /** `url`: the server's base URL (http://host:port). */
  constructor(url) {
    const { hostname, port, host } = new URL(url);
    this.host = host;
    this.socket = connect(Number(port), hostname).setNoDelay(true).setEncoding('latin1');
    this.connected = new Promise((resolve, reject) => this.socket.once('connect', resolve).once('error', reject));
    this.received = '';
    this.waiting = undefined;
    this.socket.on('data', (chunk) => {
      this.received += chunk;
      this.answer();
    });
    this.socket.on('error', (error) => this.waiting?.reject(error));
  }

  /** GET `path`; resolves with the body (latin1 text), rejects on a non-2xx answer. */
  async get(path) {
    await this.connected;
    if (this.waiting) throw new Error('LeanHttpClient: one request at a time');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, path };
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`);
    });
  }

  answer() {
    const end = this.received.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.received.slice(0, end);
    const length = head.match(/\r\ncontent-length: *(\d+)/i);
    if (!length) return this.fail(new Error(`GET ${this.waiting.path}: an answer without Content-Length`));
    const bodyEnd = end + 4 + Number(length[1]);
    if (this.received.length < bodyEnd) return;
    const body = this.received.slice(end + 4, bodyEnd);
    this.received = this.received.slice(bodyEnd);
    const status = Number(head.slice(9, 12));
    const { resolve, reject, path } = this.waiting;
    this.waiting = undefined;
    if (status < 300) resolve(body);
    else reject(new Error(`GET ${path}: ${status} ${body}`));
  }

  fail(error) {
    const { reject } = this.waiting;
    this.waiting = undefined;
    reject(error);
  }

  close() {
    this.socket.destroy();
  }
}
