// The PULL socket and its receive loop. Frames are handed over one by one; after each bounded
// batch the loop yields to the event loop, so HTTP queries stay fast while messages stream in.
import { Pull, type SocketOptions } from 'zeromq';

/** Frames handled before the loop lets timers and HTTP requests run. */
const BATCH = 256;

export type FrameHandler = (parts: Buffer[]) => void;

export class FrameReceiver {
  private readonly socket: Pull;
  private stopping = false;
  private loop: Promise<void> | undefined;

  /** `maxMessageSize`: libzmq drops the connection of a peer that sends a larger message.
   * `security`: the ZAP and CURVE options of the socket (peer-auth.ts), if any. */
  constructor(
    readonly endpoint: string,
    maxMessageSize: number,
    security: SocketOptions<Pull> = {},
  ) {
    this.socket = new Pull({ ...security, maxMessageSize, linger: 0 });
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

  /** Starts receiving; `handle` must not throw. Resolves when closed, rejects if receiving fails. */
  start(handle: FrameHandler): Promise<void> {
    this.loop = this.run(handle);
    return this.loop;
  }

  private async run(handle: FrameHandler): Promise<void> {
    let handled = 0;
    while (!this.stopping) {
      let parts: Buffer[];
      try {
        parts = await this.socket.receive();
      } catch (error) {
        if (this.stopping) return;
        throw error;
      }
      handle(parts);
      if (++handled % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Stops reading and closes the socket at once (linger 0); queued frames are dropped. */
  async close(): Promise<void> {
    this.stopping = true;
    this.socket.close();
    await this.loop?.catch(() => undefined);
  }
}
