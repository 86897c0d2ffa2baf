// SPDX-License-Identifier: GPL-3.0-or-later
// The ZAP handler (ZeroMQ's authentication protocol, RFC 27): libzmq asks it about every new
// connection to a socket that has a ZAP domain, and admits the peer only on a 200. It lives in
// the same zeromq.js context as the PULL socket (a handler elsewhere is never asked), and must
// be bound before that socket binds. Refusals are final for a libzmq peer (it does not retry).
import { Router } from 'zeromq';

/** The ZAP domain the notifier's socket names; with zapEnforceDomain a missing handler refuses. */
export const ZAP_DOMAIN = 'mapistore-mgmt';
const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

export interface ZapRequest {
  /** For ipc: `HOST:UID:GID:PID` (the kernel's credentials of the peer). For tcp: its address. */
  address: string;
  /** `NULL` or `CURVE`. */
  mechanism: string;
  /** For CURVE: the client's 32-byte public key. */
  credentials: Buffer[];
}

/** Admit with the user id libzmq attaches to the peer's messages, or refuse with a reason. */
export type ZapDecision = { allow: true; userId: string } | { allow: false; reason: string; peer: string };

export class ZapHandler {
  private readonly router = new Router({ linger: 0 });
  private loop: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly decide: (request: ZapRequest) => ZapDecision,
    private readonly refused: (decision: Extract<ZapDecision, { allow: false }>, request: ZapRequest) => void,
  ) {}

  async start(): Promise<void> {
    await this.router.bind(ZAP_ENDPOINT);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      let frames: Buffer[];
      try {
        frames = await this.router.receive();
      } catch (error) {
        if (this.closing) return;
        throw error;
      }
      // routing id, empty delimiter (libzmq asks through a REQ socket), then RFC 27's frames.
      const [routingId, delimiter, version, requestId, , address, , mechanism, ...credentials] = frames;
      if (routingId === undefined || delimiter === undefined || requestId === undefined) continue;
      const request = { address: address?.toString() ?? '', mechanism: mechanism?.toString() ?? '', credentials };
      const decision: ZapDecision =
        version?.toString() === '1.0' ? this.decide(request) : { allow: false, reason: 'bad-zap-version', peer: 'unknown' };
      if (!decision.allow) this.refused(decision, request);
      const [status, text, userId] = decision.allow ? ['200', 'OK', decision.userId] : ['400', decision.reason, ''];
      await this.router.send([routingId, delimiter, '1.0', requestId, status, text, userId, '']);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.router.close();
    await this.loop?.catch(() => undefined);
  }
}
