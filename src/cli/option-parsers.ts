// commander argument parsers: each turns a flag or environment value into a typed value, or
// throws InvalidArgumentError saying what a valid value looks like.
import { InvalidArgumentError } from 'commander';
import { templateProblem } from '../newmail/ox-mapping.js';
import type { HostPort } from '../server/config.js';

/** A backend, username or vuser to look for: the protocol has no empty names. */
export function parseName(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a non-empty name.');
  return value;
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

/** A ZeroMQ endpoint the notifier can bind: `ipc://ABSOLUTE-PATH` or `tcp://HOST:PORT` (port 0: any free port). */
export function parseEndpoint(value: string): string {
  if (value.startsWith('ipc://')) {
    const path = value.slice('ipc://'.length);
    if (!path.startsWith('/')) throw new InvalidArgumentError('an ipc endpoint needs an absolute path, for example ipc:///run/mapistore-mgmt/notify.sock.');
    // sockaddr_un holds 107 path bytes plus the terminating NUL.
    if (Buffer.byteLength(path) > 107) throw new InvalidArgumentError('the ipc socket path is longer than 107 bytes: choose a shorter path.');
    return value;
  }
  if (value.startsWith('tcp://')) {
    parseHostPort(value.slice('tcp://'.length));
    return value;
  }
  throw new InvalidArgumentError('expected ipc://ABSOLUTE-PATH or tcp://HOST:PORT.');
}

/** A permission mode in octal, for example 0750. */
export function parseMode(value: string): number {
  if (!/^0?[0-7]{3}$/.test(value.trim())) throw new InvalidArgumentError('expected an octal mode such as 0750.');
  return parseInt(value, 8);
}

/** The base URL of a notifier's HTTP API: HOST:PORT or http://HOST:PORT. */
export function parseHttpUrl(value: string): string {
  const hostPort = value.replace(/^http:\/\//, '').replace(/\/+$/, '');
  const { host, port } = parseHostPort(hostPort);
  if (port === 0) throw new InvalidArgumentError('port 0 only makes sense for serve: give the port the notifier listens on.');
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
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
