// SPDX-License-Identifier: GPL-3.0-or-later
// The real notifier (`node dist/cli/main.js serve`) on a private endpoint, state directory and
// an ephemeral HTTP port, with the few HTTP calls the benchmarks make.
import { existsSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { CLI, makeTempDir } from './paths.mjs';
import { Child } from './processes.mjs';
import { waitFor } from './wait.mjs';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET `url` over a kept-alive connection; resolves with the body text, rejects on a non-2xx answer. */
export function httpGet(url) {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => (response.statusCode < 300 ? resolve(body) : reject(new Error(`GET ${url}: ${response.statusCode} ${body}`))));
    }).on('error', reject);
  });
}

/** `nodeArgs` that load bench/js/loop-delay-probe.mjs into the notifier, for `loopDelay()`. */
export const LOOP_DELAY_PROBE = ['--import', join(import.meta.dirname, '..', 'js', 'loop-delay-probe.mjs')];

export class Notifier {
  /** `args`: further `serve` flags; `nodeArgs`: flags for node itself (before the script). */
  constructor({ endpoint, stateDir, args = [], nodeArgs = [] } = {}) {
    const dir = makeTempDir('mm-bench-notifier-');
    this.endpoint = endpoint ?? `ipc://${join(dir, 'notify.sock')}`;
    this.stateDir = stateDir ?? join(dir, 'state');
    this.args = args;
    this.nodeArgs = nodeArgs;
    this.loopDelayWindows = 0;
    this.process = undefined;
    this.url = '';
  }

  /** Spawns the process; resolves with the time (ms, from spawn) until it answered /v1/status. */
  async start() {
    if (!existsSync(CLI)) throw new Error(`the notifier is not built (${CLI} is missing: npm run build:ts)`);
    const started = performance.now();
    this.process = new Child(process.execPath, [...this.nodeArgs, CLI, 'serve', '--endpoint', this.endpoint, '--http', '127.0.0.1:0', '--state-dir', this.stateDir, ...this.args], { label: 'notifier' });
    // The start-up log line names the HTTP address (port 0 picks a free one).
    const match = await this.process.waitForOutput(/"httpUrl":"(http:\/\/[^"]+)"|listening at (http:\/\/[^"\s]+)/);
    this.url = match[1] ?? match[2];
    await waitFor('the notifier to answer', () => this.status().catch(() => undefined), { everyMs: 5 });
    return performance.now() - started;
  }

  async get(path) {
    return httpGet(`${this.url}${path}`);
  }

  async status() {
    return JSON.parse(await this.get('/v1/status'));
  }

  /** The value of one unlabelled metric of /metrics (a number, or undefined). */
  async metric(name) {
    const text = await this.get('/metrics');
    const match = text.match(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm'));
    return match ? Number(match[1]) : undefined;
  }

  /** The event-loop delay since the last call (ms), from LOOP_DELAY_PROBE, which `nodeArgs` must load. */
  async loopDelay() {
    const window = ++this.loopDelayWindows;
    this.process.signal('SIGUSR2');
    const match = await this.process.waitForOutput(new RegExp(`^loop-delay ${window} (\\{.*\\})$`, 'm'));
    return JSON.parse(match[1]);
  }

  /** SIGTERM (a graceful shutdown saves the table), SIGKILL after `graceMs`. */
  stop(graceMs) {
    return this.process.stop(graceMs);
  }

  kill9() {
    return this.process.kill9();
  }
}

/** Messages the notifier took in (applied or ignored, not rejected), all kinds. */
export function messagesTakenIn(status) {
  let total = 0;
  for (const results of Object.values(status.counters.messages)) {
    for (const [result, n] of Object.entries(results)) if (result !== 'rejected') total += n;
  }
  return total;
}

export function messagesRejected(status) {
  return Object.values(status.counters.messages).reduce((sum, results) => sum + (results.rejected ?? 0), 0);
}
