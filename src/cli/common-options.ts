// Options shared by the query commands.
import { Option } from 'commander';
import { DEFAULT_HTTP } from '../server/defaults.js';
import { parseHttpUrl } from './option-parsers.js';

export interface QueryOptions {
  http: string;
  json?: boolean;
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
