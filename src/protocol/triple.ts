// The one layout of a triple (backend, username, vuser) flattened into a string key, used by
// the decoder (to find a heartbeat's duplicate entries) and by the table (its maps and indexes).

/**
 * The key of a triple, as one string. The decoder guarantees no string holds a NUL, so NUL
 * separates the fields unambiguously. vuser comes before username so that the key's prefix
 * up to the last NUL is the (backend, vuser) pair that the table's `registeredUsers` asks about.
 */
export function tripleKey(backend: string, username: string, vuser: string): string {
  return `${backend}\0${vuser}\0${username}`;
}

export function pairKey(backend: string, vuser: string): string {
  return `${backend}\0${vuser}`;
}

export interface Triple {
  backend: string;
  username: string;
  vuser: string;
}

export function splitTriple(key: string): Triple {
  const first = key.indexOf('\0');
  const last = key.lastIndexOf('\0');
  return { backend: key.slice(0, first), vuser: key.slice(first + 1, last), username: key.slice(last + 1) };
}

/** Splits a triple key into its pair key and its username. */
export function splitUser(key: string): [pair: string, username: string] {
  const last = key.lastIndexOf('\0');
  return [key.slice(0, last), key.slice(last + 1)];
}

/**
 * Orders triple keys by backend, then username, then vuser (code units, locale-independent):
 * the order of every listing. Compares in place, without splitting the keys.
 */
export function compareTripleKeys(a: string, b: string): number {
  const a1 = a.indexOf('\0');
  const a2 = a.lastIndexOf('\0');
  const b1 = b.indexOf('\0');
  const b2 = b.lastIndexOf('\0');
  return compareSpans(a, 0, a1, b, 0, b1) || compareSpans(a, a2 + 1, a.length, b, b2 + 1, b.length) || compareSpans(a, a1 + 1, a2, b, b1 + 1, b2);
}

function compareSpans(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const difference = a.charCodeAt(aStart + i) - b.charCodeAt(bStart + i);
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}
