// SPDX-License-Identifier: GPL-3.0-or-later
// The receive loop over a real PULL socket: it lets the event loop run between slices, between
// frames and inside a frame handled step by step, and keeps the order of everything it hands over.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { Push } from 'zeromq';
import { FrameReceiver, SLICE_MS, type FrameHandler } from '../../src/server/frame-receiver.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

/** CPU work (not a wait): spins until `ms` have passed. */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const open: Array<{ close(): unknown }> = [];

async function receiverAndSender(): Promise<{ receiver: FrameReceiver; push: Push }> {
  const receiver = new FrameReceiver(`ipc://${join(makeTempDir(), 'r.sock')}`, { maxMessageSize: 1 << 20, receiveHighWaterMark: 10_000 });
  const push = new Push({ linger: 0 });
  open.push(receiver, push);
  push.connect(await receiver.bind());
  return { receiver, push };
}

afterEach(async () => {
  for (const socket of open.splice(0)) await socket.close();
  removeTempDirs();
});

describe('the receive loop', () => {
  it('lets the event loop run between slices of many small frames, and hands them over in order', async () => {
    const { receiver, push } = await receiverAndSender();
    const frames = 400;
    const handled: number[] = [];
    let immediateAfter: number | undefined;
    const slices: number[] = [];
    const done = new Promise<void>((resolve) => {
      const handle: FrameHandler = ([part]) => {
        const n = part!.readUInt32LE(0);
        if (handled.length === 0) setImmediate(() => (immediateAfter = handled.length));
        handled.push(n);
        work(SLICE_MS / 4); // 400 frames: about 100 slices of work
        if (handled.length === frames) resolve();
      };
      void receiver.start(handle, (slice) => slices.push(slice.frames));
    });
    for (let i = 0; i < frames; i++) {
      const frame = Buffer.alloc(4);
      frame.writeUInt32LE(i);
      await push.send(frame);
    }
    await done;
    expect(handled).toEqual(Array.from({ length: frames }, (_, i) => i));
    // The immediate set while the first frame was handled ran before the last frame.
    expect(immediateAfter).toBeGreaterThan(0);
    expect(immediateAfter).toBeLessThan(frames);
    expect(slices.length).toBeGreaterThan(1);
  });

  it('ends a slice between two steps of a frame handled step by step, and takes the next frame after its last step', async () => {
    const { receiver, push } = await receiverAndSender();
    const steps = 200;
    const order: string[] = [];
    let immediateAfter: number | undefined;
    const slices: Array<{ frames: number; bytes: number }> = [];
    const done = new Promise<void>((resolve) => {
      const handle: FrameHandler = ([part]) => {
        const name = part!.toString();
        if (name !== 'batch') {
          order.push(name);
          return;
        }
        return (function* () {
          for (let i = 0; i < steps; i++) {
            if (i === 0) setImmediate(() => (immediateAfter = order.length));
            order.push(`step ${i}`);
            work(SLICE_MS / 4); // about 50 slices of work in one frame
            yield;
          }
        })();
      };
      // Done once a slice that took the second frame has ended.
      void receiver.start(handle, (slice) => {
        slices.push({ frames: slice.frames, bytes: slice.bytes });
        if (slices.reduce((sum, { frames }) => sum + frames, 0) === 2) resolve();
      });
    });
    await push.send('batch');
    await push.send('after');
    await done;
    expect(order).toEqual([...Array.from({ length: steps }, (_, i) => `step ${i}`), 'after']);
    expect(immediateAfter).toBeGreaterThan(0);
    expect(immediateAfter).toBeLessThan(steps);
    // The frame is counted once, in the slice it began in; the later slices continued it.
    expect(slices.length).toBeGreaterThan(1);
    expect(slices[0]).toEqual({ frames: 1, bytes: 'batch'.length });
    expect(slices.slice(1, -1).every((slice) => slice.frames === 0)).toBe(true);
  });

  it('stops inside a frame handled step by step when closed, dropping the rest of it', async () => {
    const { receiver, push } = await receiverAndSender();
    let stepsDone = 0;
    let closing: Promise<void> | undefined;
    let loop: Promise<void> | undefined;
    const started = new Promise<void>((resolve) => {
      loop = receiver.start(() =>
        (function* () {
          for (;;) {
            if (stepsDone === 0) {
              setImmediate(() => (closing = receiver.close()));
              resolve();
            }
            stepsDone++;
            work(SLICE_MS / 4);
            yield;
          }
        })(),
      );
    });
    await push.send('endless');
    await started;
    await loop;
    await closing;
    const stepsAtClose = stepsDone;
    expect(stepsAtClose).toBeGreaterThan(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stepsDone).toBe(stepsAtClose);
  });
});
