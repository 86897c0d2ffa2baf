// SPDX-License-Identifier: GPL-3.0-or-later
// A stdout nobody reads must not stop the notifier: log lines are dropped, not waited for.
import { afterAll, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup } from '../support/processes.js';
import { closePushSockets, connectPush } from '../support/push.js';

afterAll(async () => {
  closePushSockets();
  await cleanup();
});

describe('a notifier whose stdout is not read', () => {
  it('keeps receiving and answering, and still stops on SIGTERM', async () => {
    // Every rejection logged: about 250 bytes a line, far more than a pipe holds.
    const notifier = await startNotifier({ args: ['--rejection-log-interval-ms', '0'] });
    notifier.process.pauseStdout();
    const push = connectPush(notifier.endpoint);
    const FRAMES = 3000;
    for (let i = 0; i < FRAMES; i++) await push.send(Uint8Array.from([9, 1, 2, 3]));
    await notifier.waitFor('every frame counted', async (n) => (await n.status()).counters.rejections['unknown-version'] === FRAMES);
    expect(await notifier.stop(10_000)).toEqual({ code: 0, signal: null });
  });
});
