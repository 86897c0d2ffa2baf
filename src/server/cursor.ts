// SPDX-License-Identifier: GPL-3.0-or-later
// The `cursor` of a paged listing: the key of the last row of the previous page, opaque to
// clients (base64url of the key). A page continues strictly after it in key order, so rows
// present throughout a walk come exactly once however the table changes meanwhile.

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key a cursor carries, or undefined when it is not one `encodeCursor` could have made. */
export function decodeCursor(cursor: string, isKey: (key: string) => boolean): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeCursor(key) === cursor && isKey(key) ? key : undefined;
}

/** A triple key holds exactly two NULs (see src/protocol/triple.ts). */
export function isTripleKey(key: string): boolean {
  return key.split('\0').length === 3;
}

/** A username (registered-users' cursor): a protocol string, 1..255 bytes without NUL. */
export function isName(key: string): boolean {
  return key.length > 0 && Buffer.byteLength(key) <= 255 && !key.includes('\0');
}

/** A source key is `host/pid/epoch`. */
export function isSourceKey(key: string): boolean {
  return key.length > 0 && !key.includes('\0');
}
