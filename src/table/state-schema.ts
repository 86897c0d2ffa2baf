// SPDX-License-Identifier: GPL-3.0-or-later
// The saved table's shape (the state file, see RegistrationTable.toState): each schema is both
// the check a restore makes and, through Static, the TypeScript type the writer fills in. The
// table imports the types only: the checks (TypeBox and its compiler, ~680 modules) load where a
// state file is read (table-store.ts), so a start without one never loads them.
import { Buffer } from 'node:buffer';
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import Format from 'typebox/format';

const U64_MAX = 2n ** 64n - 1n;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** A string the wire protocol could have carried (`str8`): 1..255 bytes of UTF-8, no NUL. */
Format.Set('str8', (value) => value !== '' && !value.includes('\0') && !LONE_SURROGATE.test(value) && Buffer.byteLength(value, 'utf8') <= 255);
/** A u64 as decimal text (JSON has no 64-bit integers). */
Format.Set('u64', (value) => /^(0|[1-9][0-9]*)$/.test(value) && BigInt(value) <= U64_MAX);

const Str8 = Type.String({ format: 'str8' });
const U64Text = Type.String({ format: 'u64' });
const U32 = (minimum: number) => Type.Integer({ minimum, maximum: 0xffff_ffff });

/** backend, username, vuser, replica GUID, repl_id, count. */
export const SavedRegistration = Type.Tuple([
  Str8,
  Str8,
  Str8,
  Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
  Type.Integer({ minimum: 0, maximum: 0xffff }),
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
]);

export const SavedSource = Type.Object({
  host: Str8,
  pid: U32(1),
  epoch: Type.String({ pattern: '^[0-9a-f]{16}$' }),
  lastSeq: Type.String({ format: 'u64', pattern: '^[1-9]' }),
  /** null until the source announced its interval in a heartbeat. */
  announcedIntervalMs: Type.Union([Type.Null(), U32(1)]),
  lastHeardAt: Type.Number(),
  /** When the lease runs out (a restored source may have an earlier deadline than its lease). */
  expiresAt: Type.Number(),
  droppedReported: U64Text,
  /** Decimal text; a number in files written before gaps were exact. */
  gaps: Type.Union([U64Text, Type.Integer({ minimum: 0 })]),
  registrations: Type.Array(SavedRegistration),
});

export const SavedTableHeader = Type.Object({
  format: Type.Literal('mapistore-mgmt-table'),
  version: Type.Literal(1),
  savedAt: Type.Number(),
});

export const SavedTable = Type.Object({ ...SavedTableHeader.properties, sources: Type.Array(SavedSource) });

export type PersistedRegistration = Static<typeof SavedRegistration>;
export type PersistedSource = Static<typeof SavedSource>;
export type PersistedTableHeader = Static<typeof SavedTableHeader>;
export type PersistedTable = Static<typeof SavedTable>;

/** A checker for `schema` that throws an Error naming `what` and the first flaw's path. */
function checker<T extends TSchema>(schema: T): (value: unknown, what: string) => Static<T> {
  const compiled = Compile(schema);
  return (value, what) => {
    if (compiled.Check(value)) return value as Static<T>;
    const [first] = compiled.Errors(value);
    throw new Error(`${what}${first?.instancePath ?? ''}: ${first?.message ?? 'is not valid'}`);
  };
}

/** Checks a whole saved table; throws an Error naming the flaw. */
export const checkSavedTable = checker(SavedTable);
/** Checks the fields of a saved table other than its sources. */
export const checkSavedTableHeader = checker(SavedTableHeader);
/** Checks one saved source. */
export const checkSavedSource = checker(SavedSource);
