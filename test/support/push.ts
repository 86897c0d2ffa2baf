// SPDX-License-Identifier: GPL-3.0-or-later
// A zeromq.js PUSH socket that sends hand-made frames to a notifier, as a sender library would.
import { Push, type SocketOptions } from 'zeromq';
import type { SourceId, UserCommand } from '../../src/protocol/types.js';
import { encodeMessage } from './frames.js';

const open = new Set<Push>();

/** Connects a PUSH socket (linger 0) to `endpoint`; `closePushSockets()` closes it. */
/** `options`: further socket options, for example CURVE keys. */
export function connectPush(endpoint: string, options: SocketOptions<Push> = {}): Push {
  const socket = new Push({ ...options, linger: 0 });
  socket.connect(endpoint);
  open.add(socket);
  return socket;
}

export function closePushSockets(): void {
  for (const socket of open) socket.close();
  open.clear();
}

/** A fake sender process: a source identity and its sequence counter. */
export class FakeSource {
  private seq = 0n;
  readonly id: SourceId;

  constructor(
    private readonly socket: Push,
    host = 'test.example.org',
    pid = 4242,
    epoch = '0123456789abcdef',
  ) {
    this.id = { host, pid, epoch };
  }

  get key(): string {
    return `${this.id.host}/${this.id.pid}/${this.id.epoch}`;
  }

  register(backend: string, username: string, vuser: string): Promise<void> {
    return this.send({ kind: 'register', source: this.id, seq: ++this.seq, command: command(backend, username, vuser) });
  }

  unregister(backend: string, username: string, vuser: string): Promise<void> {
    return this.send({ kind: 'unregister', source: this.id, seq: ++this.seq, command: command(backend, username, vuser) });
  }

  heartbeat(intervalMs: number, entries: Array<[backend: string, username: string, vuser: string, count: number]>, dropped = 0n): Promise<void> {
    return this.send({
      kind: 'heartbeat',
      source: this.id,
      seq: ++this.seq,
      intervalMs,
      dropped,
      entries: entries.map(([backend, username, vuser, count]) => ({ ...command(backend, username, vuser), count })),
    });
  }

  goodbye(): Promise<void> {
    return this.send({ kind: 'goodbye', source: this.id, seq: ++this.seq });
  }

  private send(message: Parameters<typeof encodeMessage>[0]): Promise<void> {
    return this.socket.send(encodeMessage(message));
  }
}

export function command(backend: string, username: string, vuser: string): UserCommand {
  return { backend, username, vuser, replicaGuid: '00112233-4455-6677-8899-aabbccddeeff', replId: 1 };
}
