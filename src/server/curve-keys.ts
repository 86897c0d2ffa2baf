// SPDX-License-Identifier: GPL-3.0-or-later
// CURVE keys on the notifier's side: its own secret key, and the allow-list of client public
// keys with their labels. Keys are Z85 text (40 characters for 32 bytes), as libzmq and
// `mapistore-mgmt keygen` write them; key material is never logged.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { StartupError } from './startup-error.js';

/** Unusable CURVE settings: the configuration must change (exit 2). */
export class CurveConfigError extends StartupError {
  constructor(message: string) {
    super(message, 2);
  }
}

const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const Z85_KEY_LENGTH = 40;

/** The 32 bytes of a Z85 key, or undefined when `text` is not one. */
function decodeZ85Key(text: string): Buffer | undefined {
  if (text.length !== Z85_KEY_LENGTH) return undefined;
  const out = Buffer.alloc(32);
  for (let group = 0; group < 8; group++) {
    let value = 0;
    for (const char of text.slice(group * 5, group * 5 + 5)) {
      const digit = Z85_ALPHABET.indexOf(char);
      if (digit < 0) return undefined;
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) return undefined;
    out.writeUInt32BE(value, group * 4);
  }
  return out;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CurveConfigError(`cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
}

/** The secret key in `path`; refused when others may read or write the file, or it holds no key. */
export function readSecretKeyFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new CurveConfigError(`cannot read the CURVE secret key file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  if ((mode & 0o006) !== 0) {
    throw new CurveConfigError(`the CURVE secret key file ${path} is open to other users (mode ${(mode & 0o777).toString(8)}): chmod o-rw it.`);
  }
  const key = readText(path, 'CURVE secret key file').trim();
  if (decodeZ85Key(key) === undefined) {
    throw new CurveConfigError(`${path} does not hold a CURVE secret key (40 Z85 characters, as \`mapistore-mgmt keygen\` writes).`);
  }
  return key;
}

/** Client public keys (hex of the 32 bytes) mapped to their labels. */
export type AllowList = ReadonlyMap<string, string>;

function addKey(keys: Map<string, string>, label: string, text: string, where: string): void {
  const key = decodeZ85Key(text);
  if (key === undefined || !/^[\w.@-]{1,64}$/.test(label)) {
    throw new CurveConfigError(`${where}: expected a label (letters, digits, . _ @ -, at most 64) and a 40-character Z85 public key.`);
  }
  const other = keys.get(key.toString('hex'));
  if (other !== undefined && other !== label) throw new CurveConfigError(`${where}: this key is already listed as "${other}".`);
  keys.set(key.toString('hex'), label);
}

/**
 * A directory of `LABEL.pub` files (each one public key, as keygen writes them) or a file of
 * `LABEL KEY` lines (`#` at the start or after a space begins a comment). An empty list is refused: it would admit nobody.
 */
export function readAllowList(path: string): AllowList {
  const keys = new Map<string, string>();
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new CurveConfigError(`cannot read the CURVE allow-list ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  if (isDirectory) {
    for (const name of readdirSync(path).filter((entry) => entry.endsWith('.pub')).sort()) {
      const file = join(path, name);
      addKey(keys, basename(name, '.pub'), readText(file, 'public key file').trim(), file);
    }
  } else {
    readText(path, 'CURVE allow-list').split('\n').forEach((raw, index) => {
      // `#` is a Z85 character: a comment starts only at the line's start or after a space.
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (line === '') return;
      const [label = '', key = '', ...rest] = line.split(/\s+/);
      addKey(keys, label, rest.length === 0 ? key : '', `${path} line ${index + 1}`);
    });
  }
  if (keys.size === 0) throw new CurveConfigError(`the CURVE allow-list ${path} lists no key: add LABEL.pub files or LABEL KEY lines.`);
  return keys;
}
