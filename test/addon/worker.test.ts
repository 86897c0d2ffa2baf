// SPDX-License-Identifier: GPL-3.0-or-later
// The addon is context-aware: worker threads load it too, and share the process's one source
// (its registrations, its epoch), as threads of a C host share the library.
import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configure, registerUser, shutdown, stats, unregisterUser } from '../../src/index.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

const WORKER = new URL('./fixtures/worker.mjs', import.meta.url);

interface Held {
  registrationsHeld: number;
  pid?: number;
  epoch?: bigint;
}

function nextMessage(worker: Worker): Promise<Held> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

beforeAll(() => {
  configure({ endpoint: `ipc://${join(makeTempDir('mm-addon-worker-'), 'nobody.sock')}` });
});

afterAll(() => {
  shutdown();
  removeTempDirs();
});

it('a worker registers into the same source as the main thread', async () => {
  registerUser({ username: 'main' }, 'SOGo', 'main');
  const main = stats();
  for (const round of [1, 2]) {
    const worker = new Worker(WORKER, { workerData: { username: `worker${round}`, count: 3 } });
    const exited = once(worker, 'exit');
    const held = await nextMessage(worker);
    expect(held).toEqual({ registrationsHeld: main.registrationsHeld + 3, pid: process.pid, epoch: main.epoch });
    expect(stats().triplesHeld).toBe(main.triplesHeld + 1);
    worker.postMessage('release');
    expect((await nextMessage(worker)).registrationsHeld).toBe(main.registrationsHeld);
    expect(await exited).toEqual([0]);
  }
  expect(unregisterUser({ username: 'main' }, 'SOGo', 'main')).toBe(true);
  expect(stats().registrationsHeld).toBe(main.registrationsHeld - 1);
});
