// SPDX-License-Identifier: GPL-3.0-or-later
// Child processes for tests: spawned, watched and always cleaned up.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTempDirs } from './temp.js';
import { GiveUp, waitFor } from './wait.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real C sender built by `npm run build:native`. */
export const SEND_TOOL = join(REPO_ROOT, 'build', 'bin', 'mapistore-mgmt-send');
/** The built CLI (`npm run build:ts`). */
export const CLI_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or finished) child process whose output is collected. */
export class TestProcess {
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  private stdoutText = '';
  private stderrText = '';
  private status: ExitStatus | undefined;

  constructor(private readonly child: ChildProcess, readonly label: string) {
    if (child.pid === undefined) throw new Error(`${label}: could not start`);
    this.pid = child.pid;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdoutText += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.status = { code, signal };
        resolve(this.status);
      });
    });
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** Stops reading its stdout, so the pipe fills up as when nobody reads a service's output. */
  pauseStdout(): void {
    this.child.stdout?.pause();
  }

  resumeStdout(): void {
    this.child.stdout?.resume();
  }

  /** Sends a signal if the process still runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits (bounded) until stdout matches `pattern`; fails early if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return waitFor(
      `${this.label} to print ${pattern}`,
      () => {
        const match = this.stdoutText.match(pattern);
        if (match) return match;
        if (!this.running) throw new GiveUp(`${this.label} exited ${JSON.stringify(this.status)}; stderr: ${this.stderrText}`);
        return undefined;
      },
      { timeoutMs },
    );
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with its exit status. */
  async stop(graceMs = 5_000): Promise<ExitStatus> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL, awaiting the exit. */
  async kill9(): Promise<ExitStatus> {
    this.signal('SIGKILL');
    return this.exited;
  }
}

const live = new Set<TestProcess>();

// A test worker that dies without running its hooks still takes its children with it.
process.on('exit', () => {
  for (const proc of live) proc.signal('SIGKILL');
});

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  label?: string;
}

/** Starts `command` with pipes for stdout/stderr; `cleanup()` kills it if still running. */
export function spawnProcess(command: string, args: string[], options: SpawnOptions = {}): TestProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new TestProcess(child, options.label ?? `${command} ${args.join(' ')}`);
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  return proc;
}

export interface SenderOptions {
  endpoint: string;
  heartbeatMs?: number;
  queueLimit?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the C tool `mapistore-mgmt-send` with `steps`
 * (`register USER BACKEND VUSER`, `unregister ...`, `sleep MS`, `stats`, `hold`).
 */
export function spawnSender(steps: string[], options: SenderOptions): TestProcess {
  if (!existsSync(SEND_TOOL)) throw new Error(`${SEND_TOOL} is missing: run npm run build:native`);
  const args = ['--endpoint', options.endpoint];
  if (options.heartbeatMs !== undefined) args.push('--heartbeat-ms', String(options.heartbeatMs));
  if (options.queueLimit !== undefined) args.push('--queue-limit', String(options.queueLimit));
  return spawnProcess(SEND_TOOL, [...args, ...steps.flatMap((step) => step.split(' '))], {
    env: options.env,
    label: `mapistore-mgmt-send ${steps.join(', ')}`,
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after `timeoutMs`) and returns its exit code and output. */
export async function runProcess(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const proc = spawnProcess(command, args, options);
  const timer = setTimeout(() => proc.signal('SIGKILL'), options.timeoutMs ?? 15_000);
  const status = await proc.exited;
  clearTimeout(timer);
  return { code: status.code, stdout: proc.stdout, stderr: proc.stderr };
}

/** Runs the built CLI `mapistore-mgmt ARGS...`. */
export function runCli(args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return runProcess(process.execPath, [CLI_ENTRY, ...args], { label: `mapistore-mgmt ${args.join(' ')}`, ...options });
}

/** Kills every process these helpers started that still runs, and awaits their exits. */
export async function killAllProcesses(): Promise<void> {
  const running = [...live];
  for (const proc of running) proc.signal('SIGKILL');
  await Promise.all(running.map((proc) => proc.exited));
}

/** For `afterEach`/`afterAll`: kills leftover processes, then deletes temporary directories. */
export async function cleanup(): Promise<void> {
  await killAllProcesses();
  removeTempDirs();
}
