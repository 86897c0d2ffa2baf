// SPDX-License-Identifier: GPL-3.0-or-later
// Child processes of a benchmark run: spawned with their output collected, and all killed when
// the run ends, whatever happens.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from './paths.mjs';
import { waitFor } from './wait.mjs';

const live = new Set();
process.on('exit', () => {
  for (const child of live) child.signal('SIGKILL');
});

export class Child {
  constructor(command, args, { env, label } = {}) {
    if (command.startsWith('/') && !existsSync(command)) throw new Error(`${command} is missing: build it first (npm run build:native)`);
    this.label = label ?? `${command} ${args.join(' ')}`;
    this.stdout = '';
    this.stderr = '';
    this.status = undefined;
    this.child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    live.add(this);
    this.child.stdout.setEncoding('utf8').on('data', (chunk) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        live.delete(this);
        this.status = { code, signal };
        resolve(this.status);
      });
    });
  }

  get running() {
    return this.status === undefined;
  }

  signal(name) {
    if (this.running) this.child.kill(name);
  }

  /** Waits until stdout matches `pattern`; fails if the process exits first. */
  waitForOutput(pattern, timeoutMs = 15_000) {
    return waitFor(`${this.label} to print ${pattern}`, () => {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (!this.running) throw new Error(`${this.label} exited ${JSON.stringify(this.status)}: ${this.stderr.trim()}`);
      return undefined;
    }, { timeoutMs });
  }

  /** The last line of stdout that is a JSON object. */
  lastJson() {
    const lines = this.stdout.split('\n').filter((line) => line.startsWith('{'));
    if (lines.length === 0) throw new Error(`${this.label} printed no result: ${this.stderr.trim()}`);
    return JSON.parse(lines[lines.length - 1]);
  }

  /** Waits for the exit (SIGKILL after `timeoutMs`); throws unless it exited 0. */
  async finish(timeoutMs = 600_000) {
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    const status = await this.exited;
    clearTimeout(timer);
    if (status.code !== 0) throw new Error(`${this.label} exited ${JSON.stringify(status)}: ${this.stderr.trim()}`);
    return this.lastJson();
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit status. */
  async stop(graceMs = 5_000) {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  async kill9() {
    this.signal('SIGKILL');
    return this.exited;
  }
}

/** Runs a program to completion and returns its last JSON line. */
export function runJson(command, args, options) {
  return new Child(command, args, options).finish(options?.timeoutMs);
}

/** Kills every child still running and waits for their exits. */
export async function killAll() {
  const children = [...live];
  for (const child of children) child.signal('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
}
