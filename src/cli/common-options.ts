// SPDX-License-Identifier: GPL-3.0-or-later
// Options shared by the query commands.
import { Option } from 'commander';
import { DEFAULT_HTTP } from '../server/defaults.js';
import { integerIn, parseHttpUrl } from './option-parsers.js';

/** Where the notifier's HTTP API is, and the file holding its token if it needs one. */
export interface NotifierTarget {
  http: string;
  httpTokenFile?: string;
}

export interface QueryOptions extends NotifierTarget {
  json?: boolean;
}

export interface ListOptions extends QueryOptions {
  limit?: number;
}

export function httpOption(): Option {
  return new Option('--http <host:port>', "the notifier's HTTP API")
    .env('MAPISTORE_MGMT_HTTP')
    .default(parseHttpUrl(DEFAULT_HTTP), DEFAULT_HTTP)
    .argParser(parseHttpUrl);
}

/** The token file; without it the token may come from MAPISTORE_MGMT_HTTP_TOKEN itself. */
export function tokenFileOption(): Option {
  return new Option('--http-token-file <file>', "file holding the notifier's HTTP token (else $MAPISTORE_MGMT_HTTP_TOKEN)").env('MAPISTORE_MGMT_HTTP_TOKEN_FILE');
}

export function jsonOption(): Option {
  return new Option('--json', 'print machine-readable JSON instead of a table');
}

/** For listings, which the notifier serves page by page: stop after this many rows. */
export function limitOption(): Option {
  return new Option('--limit <n>', 'print at most this many rows (default: all of them, fetched page by page)').argParser(integerIn(1, Number.MAX_SAFE_INTEGER));
}
