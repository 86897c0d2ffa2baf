// SPDX-License-Identifier: GPL-3.0-or-later
// commander argument parsers: each turns a flag or environment value into a typed value, or
// throws InvalidArgumentError saying what a valid value looks like.
import { execFileSync } from 'node:child_process';
import { InvalidArgumentError } from 'commander';
import { templateProblem } from '../newmail/ox-mapping.js';
import type { HostPort } from '../server/config.js';
import { IPC_PATH_MAX_BYTES } from '../server/defaults.js';

/** A backend, username or vuser to look for: the protocol has no empty names. */
export function parseName(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a non-empty name.');
  return value;
}

/** A switch's value (the flag alone means on): a variable or config line saying `false` turns it off. */
export function parseSwitch(value: string): boolean {
  const word = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['0', 'false', 'no', 'off'].includes(word)) return false;
  throw new InvalidArgumentError('expected on or off (also 1 or 0, true or false, yes or no).');
}

/** An integer in [min, max], written in decimal. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`must be from ${min} to ${max}.`);
    return number;
  };
}

/** A decimal number in [min, max]. */
export function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    if (number < min || number > max) throw new InvalidArgumentError(`must be from ${min} to ${max}.`);
    return number;
  };
}

/** `host:port` or `[v6-address]:port`; port 0 picks a free port. */
export function parseHostPort(value: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  if (!match || !host) throw new InvalidArgumentError('expected HOST:PORT, for example 127.0.0.1:7390 (port 0 picks a free port).');
  const port = Number(match[3]);
  if (port > 65535) throw new InvalidArgumentError(`port ${port} is out of range: use 0 to 65535.`);
  return { host, port };
}

/** Comma-separated DNS names, for example `notifier.example.org,notifier`. */
export function parseHostNames(value: string): string[] {
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  const bad = names.find((name) => !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a host name: give names such as notifier.example.org, separated by commas.`);
  return names;
}

/** Comma-separated user (`passwd`) or group (`group`) names or numeric ids, as ids; names are
 * looked up through NSS (getent), so LDAP/SSSD accounts resolve like local ones. */
export function parseIdList(database: 'passwd' | 'group'): (value: string) => number[] {
  const what = database === 'passwd' ? 'user' : 'group';
  return (value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '')
      .map((name) => {
        if (/^\d+$/.test(name)) return Number(name);
        try {
          const id = Number(execFileSync('getent', [database, name], { encoding: 'utf8' }).split(':')[2]);
          if (Number.isInteger(id)) return id;
        } catch {
          // Reported below.
        }
        throw new InvalidArgumentError(`${what} "${name}" does not exist: give existing ${what} names or numeric ids, separated by commas.`);
      });
}

/** A ZeroMQ endpoint the notifier can bind: `ipc://ABSOLUTE-PATH` or `tcp://HOST:PORT` (port 0: any free port). */
export function parseEndpoint(value: string): string {
  if (value.startsWith('ipc://')) {
    const path = value.slice('ipc://'.length);
    if (!path.startsWith('/')) throw new InvalidArgumentError('an ipc endpoint needs an absolute path, for example ipc:///run/mapistore-mgmt/notify.sock.');
    if (Buffer.byteLength(path) > IPC_PATH_MAX_BYTES) throw new InvalidArgumentError(`the ipc socket path is longer than ${IPC_PATH_MAX_BYTES} bytes: choose a shorter path.`);
    return value;
  }
  if (value.startsWith('tcp://')) {
    parseHostPort(value.slice('tcp://'.length));
    return value;
  }
  throw new InvalidArgumentError('expected ipc://ABSOLUTE-PATH or tcp://HOST:PORT.');
}

/** A socket directory's mode in octal, for example 0750: never writable by group or others
 * (the library would refuse such a directory, docs/security.md). */
export function parseMode(value: string): number {
  if (!/^0?[0-7]{3}$/.test(value.trim())) throw new InvalidArgumentError('expected an octal mode such as 0750.');
  const mode = parseInt(value, 8);
  if ((mode & 0o022) !== 0) throw new InvalidArgumentError('the socket directory must not be writable by its group or others: use a mode such as 0750.');
  return mode;
}

/** The base URL of a notifier's HTTP API: HOST:PORT, http://HOST:PORT or https://HOST:PORT. */
export function parseHttpUrl(value: string): string {
  const scheme = /^https:\/\//.test(value) ? 'https' : 'http';
  const hostPort = value.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const { host, port } = parseHostPort(hostPort);
  if (port === 0) throw new InvalidArgumentError('port 0 only makes sense for serve: give the port the notifier listens on.');
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A comma-separated list of names (backends), none empty. */
export function parseNames(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '' || Buffer.byteLength(name) > 255)) throw new InvalidArgumentError('expected names of 1 to 255 bytes separated by commas, for example SOGo,OpenChange.');
  return names;
}

/** An ipc endpoint only: the notifier publishes new mail where directory permissions guard it. */
export function parseIpcEndpoint(value: string): string {
  if (!value.startsWith('ipc://')) throw new InvalidArgumentError('expected ipc://ABSOLUTE-PATH (new mail goes out only on ipc, behind directory permissions).');
  return parseEndpoint(value);
}

/** A --ox-vuser template (see src/newmail/ox-mapping.ts). */
export function parseVuserTemplate(value: string): string {
  const problem = templateProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${problem}.`);
  return value;
}
