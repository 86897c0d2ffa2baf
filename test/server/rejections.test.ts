// SPDX-License-Identifier: GPL-3.0-or-later
// Bad frames over a real PUSH socket: counted per reason, logged rate-limited, table unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '../support/frames.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli } from '../support/processes.js';
import { closePushSockets, command, connectPush, FakeSource } from '../support/push.js';
import { waitFor } from '../support/wait.js';
import type { Push } from 'zeromq';

const MAX_FRAME_BYTES = 65_536;
/** Longer than this file runs, however slowly: one line per reason, whatever the timing. */
const LOG_INTERVAL_MS = 3_600_000;
const source = { host: 'bad.example.org', pid: 7, epoch: '00000000000000aa' };

function register(): Uint8Array {
  return encodeMessage({ kind: 'register', source, seq: 1n, command: command('SOGo', 'eve', 'eve') });
}

/** Frames that each break one rule, and the reason the notifier must count. */
const BAD_FRAMES: Array<[reason: string, frame: () => Uint8Array]> = [
  ['truncated', () => new Uint8Array(0)],
  ['truncated', () => register().subarray(0, 30)],
  ['unknown-version', () => Uint8Array.from([2, ...register().subarray(1)])],
  ['unknown-kind', () => Uint8Array.from([1, 9, ...register().subarray(2)])],
  ['trailing-bytes', () => Uint8Array.from([...register(), 0])],
  ['invalid-source', () => encodeMessage({ kind: 'register', source: { ...source, pid: 0 }, seq: 1n, command: command('SOGo', 'eve', 'eve') })],
  ['invalid-sequence', () => encodeMessage({ kind: 'register', source, seq: 0n, command: command('SOGo', 'eve', 'eve') })],
  ['empty-string', () => encodeMessage({ kind: 'register', source, seq: 1n, command: command('', 'eve', 'eve') })],
  ['nul-in-string', () => encodeMessage({ kind: 'register', source, seq: 1n, command: command('SOGo', 'e\0ve', 'eve') })],
  ['invalid-utf8', () => {
    const frame = register();
    frame[frame.length - 20] = 0xff; // inside vuser "eve"
    return frame;
  }],
  ['oversized', () => new Uint8Array(MAX_FRAME_BYTES + 1).fill(1)],
];

describe('a notifier fed bad frames', () => {
  let notifier: RunningNotifier;
  let push: Push;

  beforeAll(async () => {
    // A minute's default interval: the fake sources, which never heartbeat, outlive the file.
    notifier = await startNotifier({
      heartbeatMs: 60_000,
      args: ['--max-frame-bytes', String(MAX_FRAME_BYTES), '--max-sources', '2', '--rejection-log-interval-ms', String(LOG_INTERVAL_MS)],
    });
    push = connectPush(notifier.endpoint);
    await new FakeSource(push, 'good.example.org', 1).register('SOGo', 'jdoe', 'jdoe');
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
  });

  afterAll(async () => {
    closePushSockets();
    await cleanup();
  });

  it('rejects each malformed frame under its reason and changes nothing', async () => {
    const expected: Record<string, number> = {};
    for (const [reason, frame] of BAD_FRAMES) {
      await push.send(frame());
      expected[reason] = (expected[reason] ?? 0) + 1;
    }
    // A multipart message is one protocol message, its frames' bytes concatenated.
    await push.send([register(), register()]);
    expected['trailing-bytes'] = (expected['trailing-bytes'] ?? 0) + 1;

    const status = await notifier.waitFor('every rejection counted', async (n) => {
      const s = await n.status();
      return Object.entries(expected).every(([reason, count]) => s.counters.rejections[reason] === count) && s;
    });
    expect(status.counters.messages.invalid?.rejected).toBe(BAD_FRAMES.length + 1);
    expect(await notifier.users()).toEqual([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
    expect(status.sizes.sources).toBe(1);

    const metrics = await notifier.metrics();
    expect(metrics).toContain('mapistore_mgmt_rejections_total{reason="oversized"} 1');
    expect(metrics).toContain('mapistore_mgmt_rejections_total{reason="truncated"} 2');
    expect(metrics).toContain('mapistore_mgmt_rejections_total{reason="unknown-version"} 1');
    expect(notifier.process.running).toBe(true);

    // The CLI's status shows the reasons that happened, and only those.
    const human = (await runCli(['status', '--http', notifier.httpUrl])).stdout;
    const rows = human.slice(human.indexOf('REJECTED BECAUSE')).split('\n').slice(1).filter((line) => line !== '');
    expect(rows.map((row) => row.replace(/\s+/, ' ')).sort()).toEqual(Object.entries(expected).map(([reason, count]) => `${reason} ${count}`).sort());
  });

  it('rejects sources beyond --max-sources under too-many-sources', async () => {
    await new FakeSource(push, 'second.example.org', 2).register('SOGo', 'ann', 'ann');
    await new FakeSource(push, 'third.example.org', 3).register('SOGo', 'bob', 'bob');
    const status = await notifier.waitFor('too-many-sources counted', async (n) => {
      const s = await n.status();
      return s.counters.rejections['too-many-sources'] === 1 && s;
    });
    expect(status.sizes.sources).toBe(2);
    expect((await notifier.users()).map((u) => u.username)).toEqual(['ann', 'jdoe']);
  });

  it('logs a flood of bad frames at most once per reason per interval, with the suppressed count', async () => {
    const before = (await notifier.status()).counters.rejections['unknown-version'] ?? 0;
    const flood = Uint8Array.from([9, 1, 2, 3]);
    for (let i = 0; i < 2000; i++) await push.send(flood);
    await notifier.waitFor('the flood counted', async (n) => (await n.status()).counters.rejections['unknown-version'] === before + 2000);
    const logged = () => notifier.logs().filter((line) => line.msg === 'rejected a message' && line.reason === 'unknown-version');
    // The file's first unknown-version frame was logged (its line may still be on its way); the
    // flood, within the same interval, is suppressed.
    await waitFor('the first unknown-version line', () => logged().length > 0);
    expect(logged()).toHaveLength(1);
    expect(notifier.process.running).toBe(true);
  });

  it('drops the connection of a sender whose frame exceeds the socket limit, and goes on', async () => {
    const before = await notifier.status();
    const rogue = connectPush(notifier.endpoint);
    await rogue.send(new Uint8Array(3 * MAX_FRAME_BYTES));
    // The same socket reconnects and delivers again; the huge frame never reached the decoder.
    const after = new FakeSource(rogue, 'after.example.org', 4);
    await notifier.waitFor('a later message applied', async (n) => {
      await after.goodbye();
      return (await n.status()).counters.messages.goodbye?.ignored;
    });
    const status = await notifier.status();
    expect(status.counters.rejections).toEqual(before.counters.rejections);
    expect(status.counters.messages.invalid).toEqual(before.counters.messages.invalid);
    expect(notifier.process.running).toBe(true);
  });
});
