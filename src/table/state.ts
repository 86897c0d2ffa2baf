import { Buffer } from 'node:buffer';
import type { Replicas } from './replicas.js';
import type { Source } from './source.js';
import { splitTriple } from './triple.js';
import type { PersistedRegistration, PersistedSource, PersistedTable } from './types.js';

const U64_MAX = 2n ** 64n - 1n;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EPOCH = /^[0-9a-f]{16}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const LONE_SURROGATE = /\p{Surrogate}/u;

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

/** Checks that `value` is a saved table (as `toState` writes it); throws an Error naming the flaw. */
export function parseState(value: unknown): PersistedTable {
  const header = parseStateHeader(value);
  const sources = list(record(value, 'state').sources, 'state.sources').map((item, i) => parseSource(item, `state.sources[${i}]`));
  return { ...header, sources };
}

/** Checks the fields of a saved table other than its sources. */
export function parseStateHeader(value: unknown): Omit<PersistedTable, 'sources'> {
  const state = record(value, 'state');
  if (state.format !== 'mapistore-mgmt-table') throw new Error('state: format is not "mapistore-mgmt-table"');
  if (state.version !== 1) throw new Error(`state: unsupported version ${String(state.version)}`);
  return { format: 'mapistore-mgmt-table', version: 1, savedAt: finite(state.savedAt, 'state.savedAt') };
}

/** Checks one saved source; `path` names it in the error. */
export function parseSource(value: unknown, path: string): PersistedSource {
  const source = record(value, path);
  const interval = source.announcedIntervalMs;
  return {
    host: text(source.host, `${path}.host`),
    pid: integer(source.pid, `${path}.pid`, 1, 0xffff_ffff),
    epoch: matching(source.epoch, EPOCH, `${path}.epoch`),
    lastSeq: u64Text(source.lastSeq, `${path}.lastSeq`, 1n),
    announcedIntervalMs: interval === null ? null : integer(interval, `${path}.announcedIntervalMs`, 1, 0xffff_ffff),
    lastHeardAt: finite(source.lastHeardAt, `${path}.lastHeardAt`),
    expiresAt: finite(source.expiresAt, `${path}.expiresAt`),
    droppedReported: u64Text(source.droppedReported, `${path}.droppedReported`, 0n),
    gaps: exactCount(source.gaps, `${path}.gaps`),
    registrations: list(source.registrations, `${path}.registrations`).map((item, i) =>
      parseRegistration(item, `${path}.registrations[${i}]`),
    ),
  };
}

function parseRegistration(value: unknown, path: string): PersistedRegistration {
  const fields = list(value, path);
  if (fields.length !== 6) throw new Error(`${path}: expected 6 fields, found ${fields.length}`);
  return [
    text(fields[0], `${path} backend`),
    text(fields[1], `${path} username`),
    text(fields[2], `${path} vuser`),
    matching(fields[3], GUID, `${path} replica guid`),
    integer(fields[4], `${path} repl_id`, 0, 0xffff),
    integer(fields[5], `${path} count`, 1, Number.MAX_SAFE_INTEGER),
  ];
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}: expected an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${path}: expected an array`);
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${path}: expected a finite number`);
  return value;
}

/** A sum of u64 jumps as decimal text; files written before gaps were exact hold a number. */
function exactCount(value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value).toString();
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new Error(`${path}: expected a non-negative integer as decimal text`);
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new Error(`${path}: expected an integer in [${min}, ${max}]`);
  }
  return value as number;
}

/** A string the wire protocol could have carried: 1..255 bytes of UTF-8, no NUL. */
function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`${path}: expected a non-empty string`);
  if (value.includes('\0')) throw new Error(`${path}: holds a NUL`);
  if (LONE_SURROGATE.test(value)) throw new Error(`${path}: holds a lone surrogate`);
  if (Buffer.byteLength(value, 'utf8') > 255) throw new Error(`${path}: longer than 255 bytes`);
  return value;
}

function matching(value: unknown, pattern: RegExp, path: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new Error(`${path}: expected ${pattern.source}`);
  return value;
}

function u64Text(value: unknown, path: string, min: bigint): string {
  if (typeof value !== 'string' || !DECIMAL.test(value) || BigInt(value) < min || BigInt(value) > U64_MAX) {
    throw new Error(`${path}: expected a decimal integer in [${min}, ${U64_MAX}] as a string`);
  }
  return value;
}
