// SPDX-License-Identifier: GPL-3.0-or-later
// The notifier's JSON log on stdout. When stdout is a pipe or a socket (a journal, a harness),
// writes are non-blocking and buffered up to a bound: if nobody reads, log lines are dropped
// instead of stalling the receive loop, the HTTP API, or the exit, and once the reader catches
// up a warning says how many were. A file or a terminal is written synchronously.
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { pino, type DestinationStream, type Logger } from 'pino';

/** Lines are dropped while this many bytes wait for a reader. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** How long `drain()` waits for a reader to take what is buffered. */
const EXIT_DRAIN_MS = 1_000;

export interface NotifierLogger {
  log: Logger;
  /** Sets the level of the log and of every child logger made from it. */
  setLevel(level: string): void;
  /** Waits (at most a second) for buffered lines to be written: call just before exit. */
  drain(): Promise<void>;
}

function pipeDestination(): { stream: DestinationStream; drain: () => Promise<void> } {
  // Unlike process.stdout, a socket of our own over fd 1 is non-blocking.
  const socket = new Socket({ fd: 1, readable: false, writable: true });
  socket.on('error', () => socket.destroy()); // the reader went away: logging stops, nothing else
  let dropped = 0;
  return {
    stream: {
      write(line: string) {
        if (socket.destroyed) return;
        if (socket.writableLength >= MAX_BUFFERED_BYTES) {
          dropped++;
          return;
        }
        if (dropped > 0) {
          // pino's own line format (level 40: warn), so that whatever parses the log reads it.
          const report = { level: 40, time: new Date().toISOString(), name: 'mapistore-mgmt', dropped, msg: `dropped ${dropped} log lines while stdout's reader was more than ${MAX_BUFFERED_BYTES} bytes behind` };
          socket.write(`${JSON.stringify(report)}\n`);
          dropped = 0;
        }
        socket.write(line);
      },
    },
    drain: () =>
      new Promise((resolve) => {
        if (socket.destroyed || socket.writableLength === 0) return resolve();
        const timer = setTimeout(resolve, EXIT_DRAIN_MS);
        socket.once('drain', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

export function createLogger(level: string): NotifierLogger {
  const stdout = fstatSync(1);
  const { stream, drain } =
    stdout.isFIFO() || stdout.isSocket()
      ? pipeDestination()
      : { stream: pino.destination({ dest: 1, sync: true }), drain: async () => undefined };
  // A child keeps its own level: remember each, so that a new level reaches them all.
  const children = new Set<WeakRef<Logger>>();
  const log = pino(
    { name: 'mapistore-mgmt', level, timestamp: pino.stdTimeFunctions.isoTime, onChild: (child) => children.add(new WeakRef(child)) },
    stream,
  );
  const setLevel = (next: string) => {
    log.level = next;
    for (const ref of children) {
      const child = ref.deref();
      if (child === undefined) children.delete(ref);
      else child.level = next;
    }
  };
  return { log, drain, setLevel };
}
