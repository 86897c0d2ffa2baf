// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail settings of `serve` (src/cli/serve-options.ts) and the defaults they derive.
import { dirname } from 'node:path';
import { defaultEndpoint } from '../server/defaults.js';
import { ipcPath } from '../server/ipc-socket-dir.js';

export interface NewmailConfig {
  /** PUB endpoint for notifications; undefined: `newmail.sock` beside the PULL socket. */
  newmailEndpoint?: string;
  /** Backends POST /v1/newmail accepts. */
  newmailBackends: string[];
  /** The backend Dovecot's OX driver's users belong to. */
  oxBackend: string;
  /** How an OX `user` becomes a vuser (ox-mapping.ts). */
  oxVuser: string;
}

export const NEWMAIL_DEFAULTS = { backends: 'SOGo', oxBackend: 'SOGo', oxVuser: '%u' } as const;

/** `ipc://DIR/newmail.sock` in the directory of the PULL socket (`endpoint`, or the default one for tcp). */
export function defaultPublishEndpoint(endpoint: string): string {
  const pullPath = ipcPath(endpoint) ?? defaultEndpoint().slice('ipc://'.length);
  return `ipc://${dirname(pullPath)}/newmail.sock`;
}
