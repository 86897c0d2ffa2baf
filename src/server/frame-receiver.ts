// SPDX-License-Identifier: GPL-3.0-or-later
// The PULL socket and its receive loop. Frames are handed over in slices of at most SLICE_MS of
// work, whatever their number or size; between slices the loop yields to the event loop, so
// timers (expiry, saves) and HTTP requests wait about one slice at most under any load. A frame
// of several messages can be handled a few messages per step, so that a slice may end inside it.
// What the loop cannot take meanwhile waits in ZeroMQ's queues, bounded by the high-water mark.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Pull, type SocketOptions } from 'zeromq';

/**
 * Work done in one slice before the loop lets timers and HTTP requests run. A request that
 * arrives during a slice waits for its end, so this is what ingest adds to a query's latency
 * at most; each yield costs a few microseconds, about 1% of the slice. A step (a frame, or a few
 * messages of a frame handled step by step) is never split, so a slice can run past this by one.
 */
export const SLICE_MS = 0.1;

/**
 * Handles one frame. A frame of several messages may be handled step by step: the handler then
 * returns an iterator whose every `next()` does one step (a few messages), and the loop checks its
 * slice's budget between steps. The next frame is taken once the iterator is done.
 */
export type FrameHandler = (parts: Buffer[]) => Iterator<unknown> | void;

/** What the loop reports after each slice: its duration, frames begun and bytes received in it. */
export type SliceObserver = (slice: { ms: number; frames: number; bytes: number }) => void;

/** The slice in progress. */
class Slice {
  readonly start = performance.now();
  frames = 0;
  bytes = 0;

  get spent(): boolean {
    return performance.now() - this.start >= SLICE_MS;
  }
}

export interface FrameReceiverOptions {
  /** libzmq drops the connection of a peer that sends a larger message. */
  maxMessageSize: number;
  /** Messages queued per connected sender before that sender's own queue takes the rest (ZMQ_RCVHWM). */
  receiveHighWaterMark: number;
  /** The ZAP and CURVE options of the socket (peer-auth.ts), if any. */
  security?: SocketOptions<Pull>;
}

export class FrameReceiver {
  private readonly socket: Pull;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private caughtUp = Date.now();
  private receiving = 0;
  /** True while the loop waits for a frame with nothing queued. */
  private idle = false;

  constructor(
    readonly endpoint: string,
    options: FrameReceiverOptions,
  ) {
    this.socket = new Pull({
      ...options.security,
      maxMessageSize: options.maxMessageSize,
      receiveHighWaterMark: options.receiveHighWaterMark,
      receiveTimeout: 0,
      linger: 0,
    });
  }

  /** The socket's events (handshake failures, for peer-auth.ts). */
  get events(): Pull['events'] {
    return this.socket.events;
  }

  /** Binds and returns the endpoint as bound (tcp port 0 resolved to the port chosen). */
  async bind(): Promise<string> {
    await this.socket.bind(this.endpoint);
    return this.socket.lastEndpoint ?? this.endpoint;
  }

  /**
   * The last time the loop found nothing left to read: every frame queued before then has been
   * handled. It stays in the past while frames keep waiting (the receive backlog).
   */
  get caughtUpAt(): number {
    return this.caughtUp;
  }

  /** Milliseconds spent in slices (receiving and handling frames) since the start. */
  get receivingMs(): number {
    return this.receiving;
  }

  /** How long frames have been waiting unread: 0 while the loop has nothing left to read. */
  get backlogMs(): number {
    return this.idle ? 0 : Date.now() - this.caughtUp;
  }

  /** Starts receiving; `handle` must not throw. Resolves when closed, rejects if receiving fails. */
  start(handle: FrameHandler, observe: SliceObserver = () => undefined): Promise<void> {
    this.loop = this.run(handle, observe);
    return this.loop;
  }

  private async run(handle: FrameHandler, observe: SliceObserver): Promise<void> {
    let slice: Slice | undefined;
    const endSlice = () => {
      if (slice === undefined) return;
      const ms = performance.now() - slice.start;
      this.receiving += ms;
      observe({ ms, frames: slice.frames, bytes: slice.bytes });
      slice = undefined;
    };
    while (!this.stopping) {
      let parts: Buffer[];
      try {
        parts = await this.socket.receive(); // awaited here, not in a helper: a promise less per frame
      } catch (error) {
        if (this.stopping) return;
        // A receive that finds nothing queued fails at once (receiveTimeout 0): cheaper than asking
        // `readable` before every frame. Then the slice ends, and the loop waits without a timeout.
        if ((error as { code?: unknown }).code !== 'EAGAIN') throw error;
        endSlice();
        const next = await this.waitForFrame();
        if (next === null) return;
        parts = next;
      }
      slice ??= new Slice();
      slice.frames++;
      for (const part of parts) slice.bytes += part.length;
      const steps = handle(parts);
      while (steps !== undefined && !steps.next().done) {
        if (!slice.spent) continue;
        endSlice();
        await nextTurn();
        if (this.stopping) return; // the rest of the frame is dropped, like the frames queued
        slice = new Slice();
      }
      if (slice.spent) {
        endSlice();
        await nextTurn();
      }
    }
  }

  /** Waits without a timeout for the next frame, nothing being queued now; null once closed. */
  private async waitForFrame(): Promise<Buffer[] | null> {
    this.caughtUp = Date.now();
    this.idle = true;
    this.socket.receiveTimeout = -1;
    try {
      const parts = await this.socket.receive();
      this.socket.receiveTimeout = 0;
      this.idle = false;
      return parts;
    } catch (error) {
      if (this.stopping) return null; // closed while waiting: the socket takes no option now
      throw error;
    }
  }

  /** Stops reading and closes the socket at once (linger 0); queued frames, and the rest of a frame handled step by step, are dropped. */
  async close(): Promise<void> {
    this.stopping = true;
    this.socket.close();
    await this.loop?.catch(() => undefined);
  }
}
