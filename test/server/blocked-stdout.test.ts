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

  it('drops log lines past 4 MiB unread, and says how many once its reader is back', async () => {
    const notifier = await startNotifier({ args: ['--rejection-log-interval-ms', '0'] });
    notifier.process.pauseStdout();
    const push = connectPush(notifier.endpoint);
    // About 250 bytes a line: 6 MB, past the 4 MiB bound and the pipe's own buffer.
    const FRAMES = 25_000;
    const bad = Uint8Array.from([9, 1, 2, 3]);
    for (let i = 0; i < FRAMES; i++) await push.send(bad);
    await notifier.waitFor('every frame counted', async (n) => (await n.status()).counters.rejections['unknown-version'] === FRAMES);
    notifier.process.resumeStdout();
    // The report goes with the first line logged once the buffer is below the bound again.
    const report = await notifier.waitFor('the drop report', async () => {
      await push.send(bad);
      return /"dropped":(\d+)/.exec(notifier.process.stdout);
    });
    const dropped = Number(report[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(FRAMES);
    expect(notifier.process.stdout).toContain(`"msg":"dropped ${dropped} log lines while stdout's reader was more than 4194304 bytes behind"`);
  });
});
