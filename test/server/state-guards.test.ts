// SPDX-License-Identifier: GPL-3.0-or-later
// The state directory's guards: one notifier per directory, a clear refusal of an unusable
// one, and a failed save that is seen (metric, /readyz, exit status) rather than silent.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { killAllProcesses, runCli, runProcess } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

const mounts: string[] = [];

afterEach(async () => {
  closePushSockets();
  await killAllProcesses();
  for (const dir of mounts.splice(0)) execFileSync('umount', [dir]);
  removeTempDirs();
});

/** A real filesystem of `size` bytes (tmpfs; the tests run as root). */
function smallFilesystem(size: string): string {
  const dir = makeTempDir('mm-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the filesystem holding `dir` until a write fails with ENOSPC. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(1 << 20));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    return filler;
  }
  throw new Error(`${dir} took 1 MiB without filling up`);
}

async function readiness(notifier: RunningNotifier): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${notifier.httpUrl}/readyz`);
  return { status: response.status, body: await response.json() };
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('the state directory', () => {
  it('serves one notifier at a time: a second is refused, naming the holder, exit 2', async () => {
    const first = await startNotifier();
    const second = await runCli(['serve', '--endpoint', `ipc://${makeTempDir()}/n.sock`, '--http', '127.0.0.1:0', '--state-dir', first.stateDir]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`the state directory ${first.stateDir} is in use by another notifier (pid ${first.pid}`);
    expect(first.process.running).toBe(true);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(first.stateDir, 'notifier.lock'))).toBe(false);
  });

  it('takes over a lock whose holder is gone, or whose pid now belongs to another process', async () => {
    const stateDir = join(makeTempDir(), 'state');
    mkdirSync(stateDir);
    const gone = await runProcess(process.execPath, ['-e', 'console.log(process.pid)']);
    writeFileSync(join(stateDir, 'notifier.lock'), `${gone.stdout.trim()} 1\n`);
    const notifier = await startNotifier({ stateDir });
    await notifier.stop();
    // This test process is alive, but did not start at clock tick 1.
    writeFileSync(join(stateDir, 'notifier.lock'), `${process.pid} 1\n`);
    await notifier.start();
    expect(notifier.process.running).toBe(true);
  });

  it('under /proc is refused with a message, not a busy loop', async () => {
    const result = await runCli(['serve', '--endpoint', `ipc://${makeTempDir()}/n.sock`, '--http', '127.0.0.1:0', '--state-dir', '/proc/mapistore-mgmt/state']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot use the state directory /proc/mapistore-mgmt/state (ENOENT): choose another --state-dir');
  });
});

describe('a failed save', () => {
  it('is counted and shown by /readyz until a save succeeds; at shutdown it makes the exit status 1', async () => {
    const disk = smallFilesystem('256k');
    const notifier = await startNotifier({ stateDir: join(disk, 'state'), saveIntervalMs: 50 });
    const source = new FakeSource(connectPush(notifier.endpoint));
    let filler = fill(disk);
    await source.register('SOGo', 'jdoe', 'jdoe');
    await notifier.waitFor('/readyz to report the failing save', async (n) => (await readiness(n)).status === 503);
    expect((await readiness(notifier)).body).toEqual({ ready: false, reasons: ['state-save-failing'] });
    const metrics = await notifier.metrics();
    expect(metric(metrics, 'mapistore_mgmt_state_save_failures_total')).toBeGreaterThan(0);
    expect(metric(metrics, 'mapistore_mgmt_state_last_save_timestamp_seconds')).toBe(0);

    rmSync(filler);
    await notifier.waitFor('the next save to succeed', async (n) => (await readiness(n)).status === 200);
    expect(metric(await notifier.metrics(), 'mapistore_mgmt_state_last_save_timestamp_seconds')).toBeGreaterThan(0);

    filler = fill(disk);
    await source.register('SOGo', 'ann', 'ann');
    await notifier.waitFor('ann registered', async (n) => (await n.users()).length === 2);
    expect(await notifier.stop()).toEqual({ code: 1, signal: null });
    expect(notifier.logs().some((line) => String(line.msg).includes('the final save of the table failed'))).toBe(true);
  });
});
