// SPDX-License-Identifier: GPL-3.0-or-later
// Starts the real notifier (`node dist/cli/main.js serve`) for tests, on a private temp
// endpoint, state directory and ephemeral HTTP port.
import { join } from 'node:path';
import type { RegisteredUsers, SourcesPage, SourceView, Status, UserEntry, UsersPage } from '../../src/server/api-types.js';
import { CLI_ENTRY, spawnProcess, type ExitStatus, type TestProcess } from './processes.js';
import { makeTempDir } from './temp.js';
import { waitFor, type WaitOptions } from './wait.js';

export interface NotifierOptions {
  /** Default: `ipc://<tempdir>/notify.sock`. */
  endpoint?: string;
  /** Default: a fresh temp dir. */
  stateDir?: string;
  /** The new-mail PUB endpoint (default: `ipc://<tempdir>/newmail.sock`). */
  publish?: string;
  /** Lease interval for sources that have not announced one (default 200 ms). */
  heartbeatMs?: number;
  /** How often a changed table is saved (default 100 ms). */
  saveIntervalMs?: number;
  /** Any further `serve` flags. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/** A notifier process started by `startNotifier`. */
export class RunningNotifier {
  /** The endpoint as bound: a `tcp://HOST:0` is resolved at the first start and kept across restarts. */
  endpoint: string;
  readonly stateDir: string;
  /** Where new-mail notifications are published. */
  readonly publish: string;
  /** `http://127.0.0.1:PORT` of the current process. */
  httpUrl = '';
  process!: TestProcess;

  constructor(private readonly options: NotifierOptions, tempDir: string) {
    this.endpoint = options.endpoint ?? `ipc://${join(tempDir, 'notify.sock')}`;
    this.stateDir = options.stateDir ?? join(tempDir, 'state');
    this.publish = options.publish ?? `ipc://${join(tempDir, 'newmail.sock')}`;
  }

  get pid(): number {
    return this.process.pid;
  }

  /** The notifier's JSON log lines so far (stdout). */
  logs(): Array<Record<string, unknown>> {
    const lines = this.process.stdout.split('\n');
    lines.pop(); // the line being written, if any
    return lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Starts the process and resolves once `/readyz` answers 200. */
  async start(): Promise<void> {
    const args = [
      CLI_ENTRY, 'serve',
      '--endpoint', this.endpoint,
      '--http', '127.0.0.1:0',
      '--state-dir', this.stateDir,
      '--newmail-endpoint', this.publish,
      '--heartbeat-ms', String(this.options.heartbeatMs ?? 200),
      '--save-interval-ms', String(this.options.saveIntervalMs ?? 100),
      ...(this.options.args ?? []),
    ];
    this.process = spawnProcess(process.execPath, args, { env: this.options.env, label: 'notifier' });
    const match = await this.process.waitForOutput(/"endpoint":"([^"]+)","httpUrl":"(http:\/\/[^"]+)"/);
    this.endpoint = match[1] ?? '';
    this.httpUrl = match[2] ?? '';
    await waitFor('notifier readiness', async () => (await fetch(`${this.httpUrl}/readyz`)).ok);
  }

  /** GET a JSON document from the API, failing on a non-2xx answer. */
  async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.httpUrl}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Every page of `/v1/users` (the filters in `query`), as one list. */
  users(query: Partial<Pick<UserEntry, 'backend' | 'username' | 'vuser'>> = {}): Promise<UserEntry[]> {
    return this.allPages<UsersPage, UserEntry>('/v1/users', query as Record<string, string>, (page) => page.users);
  }

  registeredUsers(backend: string, vuser: string): Promise<RegisteredUsers> {
    return this.get(`/v1/registered-users?${new URLSearchParams({ backend, vuser })}`);
  }

  /** Every page of `/v1/sources`, as one list. */
  sources(): Promise<SourceView[]> {
    return this.allPages<SourcesPage, SourceView>('/v1/sources', {}, (page) => page.sources);
  }

  /** Follows `next` from the first page of `path` to the last, `limit` rows a page (default: the server's). */
  async allPages<Page extends { next: string | null }, Row>(path: string, query: Record<string, string>, rows: (page: Page) => Row[], limit?: number): Promise<Row[]> {
    const all: Row[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams(query);
      if (cursor !== null) params.set('cursor', cursor);
      if (limit !== undefined) params.set('limit', String(limit));
      const page: Page = await this.get(`${path}?${params}`);
      all.push(...rows(page));
      cursor = page.next;
    } while (cursor !== null);
    return all;
  }

  status(): Promise<Status> {
    return this.get('/v1/status');
  }

  /** The Prometheus exposition text of `/metrics`. */
  async metrics(): Promise<string> {
    return (await fetch(`${this.httpUrl}/metrics`)).text();
  }

  /**
   * Polls `probe(this)` until it returns a value other than undefined/null/false (see `waitFor`).
   * Example: `await notifier.waitFor('jdoe registered', async (n) => (await n.users()).length === 1)`.
   */
  waitFor<T>(what: string, probe: (notifier: this) => T | undefined | null | false | Promise<T | undefined | null | false>, options?: WaitOptions): Promise<T> {
    return waitFor(what, () => probe(this), options);
  }

  /** Waits until `/v1/users` equals `expected` (order-insensitive) and returns it. */
  async waitForUsers(expected: UserEntry[], options?: WaitOptions): Promise<UserEntry[]> {
    const want = JSON.stringify(sortUsers(expected));
    return waitFor(`users to be ${want}`, async () => {
      const users = await this.users();
      return JSON.stringify(sortUsers(users)) === want ? users : undefined;
    }, options);
  }

  /** SIGTERM, awaiting the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<ExitStatus> {
    return this.process.stop(graceMs);
  }

  /** SIGKILL, awaiting the exit: no state save, the socket file stays behind. */
  kill9(): Promise<ExitStatus> {
    return this.process.kill9();
  }

  /** Stops the process gracefully if it still runs, then starts it again on the same endpoint and state dir. */
  async restart(): Promise<void> {
    if (this.process.running) await this.stop();
    await this.start();
  }
}

/** Sorts by backend, username, vuser for order-insensitive comparisons. */
export function sortUsers(users: UserEntry[]): UserEntry[] {
  const key = (u: UserEntry) => `${u.backend}\0${u.username}\0${u.vuser}`;
  return [...users].sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * Starts a notifier on a temp ipc endpoint, temp state dir and HTTP on 127.0.0.1:0, and waits
 * until it is ready. `cleanup()` from `processes.ts` kills it and removes its directory.
 */
export async function startNotifier(options: NotifierOptions = {}): Promise<RunningNotifier> {
  const notifier = new RunningNotifier(options, makeTempDir('mm-notifier-'));
  await notifier.start();
  return notifier;
}
