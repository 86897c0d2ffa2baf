// SPDX-License-Identifier: GPL-3.0-or-later
// `serve --config FILE`: settings from a file of MAPISTORE_MGMT_*=value lines (the syntax of a
// systemd EnvironmentFile), for the options given by neither a flag nor a variable: a flag beats
// a variable, which beats the file, which beats the default. SIGHUP reads the file again.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Command, Option } from 'commander';

const PREFIX = 'MAPISTORE_MGMT_';

/**
 * Variables that the C library (in the backends) or the query commands read and serve does not:
 * a file shared with the backends' environment may hold them. MAPISTORE_MGMT_ENDPOINT,
 * _HEARTBEAT_MS and _CURVE_SECRET_KEY_FILE are read by both; the last names the backend's key
 * to the library and the notifier's own to serve, so a shared file must not set it.
 */
const NOT_READ_BY_SERVE = new Set(['QUEUE_LIMIT', 'LINGER_MS', 'MAX_TRIPLES', 'BATCHING', 'CURVE_SERVER_KEY_FILE', 'NEWMAIL_ENDPOINT', 'HTTP_TOKEN'].map((name) => PREFIX + name));

/** The config file cannot be read or holds a bad setting; the message names the file and the setting. */
export class ConfigFileError extends Error {}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The file's settings, checked by their options' parsers: option attribute name -> value. */
export function readConfigFile(path: string, options: readonly Option[]): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? describe(error);
    throw new ConfigFileError(`cannot read the config file ${path} (${code}): fix --config (MAPISTORE_MGMT_CONFIG) or the file's permissions.`);
  }
  const byVariable = new Map(options.flatMap((option) => (option.envVar === undefined ? [] : [[option.envVar, option] as const])));
  const values = new Map<string, unknown>();
  for (const [name, raw] of Object.entries(parseEnv(text))) {
    // The file may be shared with other programs.
    if (!name.startsWith(PREFIX) || NOT_READ_BY_SERVE.has(name) || raw === undefined) continue;
    const option = byVariable.get(name);
    if (option === undefined || option.attributeName() === 'config') throw new ConfigFileError(`${path}: ${name} is not a setting of serve.`);
    try {
      values.set(option.attributeName(), option.parseArg === undefined ? raw : option.parseArg(raw, undefined));
    } catch (error) {
      throw new ConfigFileError(`${path}: ${name}: ${describe(error)}`);
    }
  }
  return values;
}

/** Whether the file may set this option: neither a flag nor a variable did. */
export function fromFileOrDefault(command: Command, option: Option): boolean {
  const source = command.getOptionValueSource(option.attributeName());
  return source === undefined || source === 'default' || source === 'config';
}

/** Sets the options that neither a flag nor a variable set from the file. */
export function applyConfigFile(command: Command, path: string): void {
  const values = readConfigFile(path, command.options);
  for (const option of command.options) {
    const key = option.attributeName();
    if (values.has(key) && fromFileOrDefault(command, option)) command.setOptionValueWithSource(key, values.get(key), 'config');
  }
}
