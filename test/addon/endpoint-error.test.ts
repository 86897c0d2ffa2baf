// SPDX-License-Identifier: GPL-3.0-or-later
// stats().endpointError from JavaScript: the library holds its messages for an ipc directory
// that could be another user's, says so, and sends once the directory is private.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { configure, registerUser, shutdown, stats } from '../../src/index.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';
import { waitFor } from '../support/wait.js';

afterAll(() => {
  shutdown();
  removeTempDirs();
});

it('is MAPISTORE_ERR_DENIED (21) while the socket directory is writable by others, 0 once it is not', async () => {
  const dir = join(makeTempDir('mm-addon-endpoint-'), 'open');
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  configure({ endpoint: `ipc://${join(dir, 'notify.sock')}` });
  expect(registerUser({ username: 'jdoe' }, 'SOGo', 'jdoe')).toBe(true);
  await waitFor('the refusal', () => stats().endpointError === 21);
  expect(stats().messagesSent).toBe(0);
  expect(stats().queueLength).toBeGreaterThan(0);
  chmodSync(dir, 0o700);
  await waitFor('the message handed to ZeroMQ', () => stats().messagesSent > 0);
  expect(stats().endpointError).toBe(0);
});
