// SPDX-License-Identifier: GPL-3.0-or-later
// A tcp connection that never finishes its ZMTP handshake is dropped after the notifier's
// 5 s handshake timeout, not libzmq's 30 s default: a flood of them cannot hold descriptors long.
import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup } from '../support/processes.js';

afterAll(cleanup);

/** Libzmq's own handshake timeout: the test's hang guard stays below it. */
const LIBZMQ_DEFAULT_HANDSHAKE_MS = 30_000;

it('drops a connection that stalls in its handshake', async () => {
  const notifier = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--insecure-plain-tcp'] });
  const [host = '', port = ''] = notifier.endpoint.slice('tcp://'.length).split(':');
  const stalled = connect(Number(port), host);
  stalled.on('data', () => undefined); // the notifier's greeting; we never answer it
  const closed = await new Promise<boolean>((resolve) => {
    const guard = setTimeout(() => resolve(false), LIBZMQ_DEFAULT_HANDSHAKE_MS - 5_000);
    stalled.on('close', () => {
      clearTimeout(guard);
      resolve(true);
    });
  });
  stalled.destroy();
  expect(closed).toBe(true);
}, 40_000);
