// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP API's bearer token, read from a file by both `serve` and the query commands.
import { readFileSync, statSync } from 'node:fs';
import { StartupError } from './startup-error.js';

/** Shortest token accepted: anything shorter is guessable over many requests. */
const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 4096;

/** An unusable token or HTTP exposure: the configuration must change (exit 2). */
export class HttpAuthError extends StartupError {
  constructor(message: string) {
    super(message, 2);
  }
}

/**
 * The token in `path` (surrounding whitespace removed). Refused, with a message saying what to
 * fix: a file others may read or write, an unreadable file, a token shorter than
 * MIN_TOKEN_LENGTH or one with characters an Authorization header cannot carry.
 */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o006) !== 0) {
      throw new HttpAuthError(`the token file ${path} is open to other users (mode ${(mode & 0o777).toString(8)}): chmod o-rw it.`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof HttpAuthError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new HttpAuthError(`cannot read the token file ${path} (${code}): give a readable file holding the token.`);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new HttpAuthError(
      `the token file ${path} must hold one token of ${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_LENGTH} printable ASCII characters without spaces ` +
        '(for example: openssl rand -hex 32).',
    );
  }
  return token;
}

/** A PEM file for HTTPS; a private key (`secret`) others may read or write is refused. */
export function readPemFile(path: string, secret: boolean): Buffer {
  try {
    const mode = statSync(path).mode;
    if (secret && (mode & 0o006) !== 0) {
      throw new HttpAuthError(`the TLS key file ${path} is open to other users (mode ${(mode & 0o777).toString(8)}): chmod o-rw it.`);
    }
    const pem = readFileSync(path);
    if (!pem.includes('-----BEGIN ')) throw new HttpAuthError(`${path} is not a PEM file: give the ${secret ? 'private key' : 'certificate (chain)'} in PEM.`);
    return pem;
  } catch (error) {
    if (error instanceof HttpAuthError) throw error;
    throw new HttpAuthError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): give a readable PEM file.`);
  }
}
