// SPDX-License-Identifier: GPL-3.0-or-later
// A source in its saved form (state-schema.ts), whole or as JSON text in pieces.
import type { Replicas } from './replicas.js';
import type { Source } from './source.js';
import type { PersistedRegistration, PersistedSource } from './state-schema.js';
import { splitTriple } from '../protocol/triple.js';

/** Registrations per piece of `persistSourceJson`: a piece takes about a millisecond to write. */
const REGISTRATIONS_PER_PIECE = 500;

export function persistSource(source: Source): PersistedSource {
  const registrations: PersistedRegistration[] = [];
  for (const [triple, count] of source.counts) registrations.push(persistRegistration(triple, count, source.replicas));
  return { ...sourceFields(source), registrations };
}

/**
 * `JSON.stringify(persistSource(source))`, in pieces of a few hundred registrations. The source
 * is copied when the first piece is asked for, so the pieces describe that moment however long
 * the caller lets the table change between them.
 */
export function* persistSourceJson(source: Source): Generator<string> {
  const counts = [...source.counts];
  const replicas = source.replicas.copy();
  const head = JSON.stringify({ ...sourceFields(source), registrations: [] });
  yield head.slice(0, -2); // `{...,"registrations":[`
  for (let start = 0; start < counts.length; start += REGISTRATIONS_PER_PIECE) {
    const piece = counts.slice(start, start + REGISTRATIONS_PER_PIECE).map(([triple, count]) => JSON.stringify(persistRegistration(triple, count, replicas)));
    yield `${start === 0 ? '' : ','}${piece.join(',')}`;
  }
  yield ']}';
}

function persistRegistration(triple: string, count: number, replicas: Replicas): PersistedRegistration {
  const { backend, username, vuser } = splitTriple(triple);
  const { replicaGuid, replId } = replicas.get(triple);
  return [backend, username, vuser, replicaGuid, replId, count];
}

function sourceFields(source: Source): Omit<PersistedSource, 'registrations'> {
  return {
    host: source.id.host,
    pid: source.id.pid,
    epoch: source.id.epoch,
    lastSeq: source.lastSeq.toString(),
    announcedIntervalMs: source.announcedIntervalMs,
    lastHeardAt: source.lastHeardAt,
    expiresAt: source.expiresAt,
    droppedReported: source.droppedReported.toString(),
    gaps: source.gaps.toString(),
  };
}
