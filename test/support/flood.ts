// SPDX-License-Identifier: GPL-3.0-or-later
// Floods a notifier from this process: a zeromq.js PUSH socket sends pre-built heartbeats of
// many entries, as fast as the notifier takes them (small high-water marks keep the queued
// frames, and this process's memory, bounded).
import { Push } from 'zeromq';
import { encodeMessage } from './frames.js';
import { command } from './push.js';

/** The byte offset of a frame's u64 sequence number: version, kind, pid (4), epoch (8). */
const SEQ_OFFSET = 14;

export class HeartbeatFlood {
  /** Frames queued so far (each a heartbeat of `entries` entries). */
  sent = 0;
  private readonly socket: Push;
  private readonly templates: Buffer[];
  private running: Promise<void> | undefined;
  private stopping = false;

  /** `sources` flooding identities, each re-sending a snapshot of the same `entries` triples. */
  constructor(endpoint: string, options: { sources: number; entries: number; intervalMs?: number }) {
    this.socket = new Push({ linger: 0, sendHighWaterMark: 2 });
    this.socket.connect(endpoint);
    const entries = Array.from({ length: options.entries }, (_, i) => ({ ...command('SOGo', `flood${i}`, `flood${i}`), count: 1 }));
    this.templates = Array.from({ length: options.sources }, (_, s) =>
      Buffer.from(encodeMessage({
        kind: 'heartbeat',
        source: { host: 'flood.example.org', pid: 1000 + s, epoch: '00000000000000f1' },
        seq: 1n,
        intervalMs: options.intervalMs ?? 60_000,
        dropped: 0n,
        entries,
      })),
    );
  }

  /** The size of one frame. */
  get frameBytes(): number {
    return this.templates[0]?.length ?? 0;
  }

  /** Starts sending until `stop()`. */
  start(): void {
    this.running = (async () => {
      for (let seq = 1n; !this.stopping; seq++) {
        for (const template of this.templates) {
          // A fresh copy per send: the socket may still hold the previous one.
          const frame = Buffer.from(template);
          frame.writeBigUInt64LE(seq, SEQ_OFFSET);
          await this.socket.send(frame);
          this.sent++;
        }
      }
    })().catch((error: unknown) => {
      if (!this.stopping) throw error;
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.socket.close();
    await this.running;
  }
}
