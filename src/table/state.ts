// SPDX-License-Identifier: GPL-3.0-or-later
// A source in its saved form (state-schema.ts), whole or as JSON text in pieces.
import type { PersistedRegistration, PersistedSource } from './state-schema.js';

/** Registrations per piece of `persistSourceJson`: a piece takes about a millisecond to write. */
const REGISTRATIONS_PER_PIECE = 500;

export type SourceFields = Omit<PersistedSource, 'registrations'>;

/**
 * `JSON.stringify({ ...fields, registrations })`, in pieces of a few hundred registrations.
 * The caller copies the source (fields and registrations) when the first piece is asked for, so
 * the pieces describe that moment however long it lets the table change between them.
 */
export function* persistSourceJson(fields: SourceFields, registrations: PersistedRegistration[]): Generator<string> {
  // `{...,"registrations":[`, built without a spread (V8 gives every spread copy followed by
  // more fields a hidden class of its own: garbage in the old generation).
  yield `${JSON.stringify(fields).slice(0, -1)},"registrations":[`;
  for (let start = 0; start < registrations.length; start += REGISTRATIONS_PER_PIECE) {
    const piece = registrations.slice(start, start + REGISTRATIONS_PER_PIECE).map((registration) => JSON.stringify(registration));
    yield `${start === 0 ? '' : ','}${piece.join(',')}`;
  }
  yield ']}';
}
