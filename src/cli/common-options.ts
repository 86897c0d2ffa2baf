// Options shared by the query commands.
import { Option } from 'commander';
import { DEFAULT_HTTP } from '../server/defaults.js';
import { integerIn, parseHttpUrl } from './option-parsers.js';

export interface QueryOptions {
  http: string;
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

export function jsonOption(): Option {
  return new Option('--json', 'print machine-readable JSON instead of a table');
}

/** For listings, which the notifier serves page by page: stop after this many rows. */
export function limitOption(): Option {
  return new Option('--limit <n>', 'print at most this many rows (default: all of them, fetched page by page)').argParser(integerIn(1, Number.MAX_SAFE_INTEGER));
}
