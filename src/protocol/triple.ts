// SPDX-License-Identifier: GPL-3.0-or-later
// The one layout of a triple (backend, username, vuser) flattened into a string key, used by
// the decoder (to find a heartbeat's duplicate entries) and by the table (a page's cursor).

/**
 * The key of a triple, as one string. The decoder guarantees no string holds a NUL, so NUL
 * separates the fields unambiguously. The fields come in listing order (backend, username,
 * vuser), and NUL sorts below any character a field can hold, so two keys compared as strings
 * (code units, JavaScript's `<`) are in the order of every listing: by backend, then username,
 * then vuser, a shorter field first.
 */
export function tripleKey(backend: string, username: string, vuser: string): string {
  return `${backend}\0${username}\0${vuser}`;
}

export interface Triple {
  backend: string;
  username: string;
  vuser: string;
}

export function splitTriple(key: string): Triple {
  const first = key.indexOf('\0');
  const last = key.lastIndexOf('\0');
  return { backend: key.slice(0, first), username: key.slice(first + 1, last), vuser: key.slice(last + 1) };
}
