// SPDX-License-Identifier: GPL-3.0-or-later
// What the new-mail routes accept: JSON schemas fastify checks (character counts, types,
// required fields), then byte lengths, NUL and UTF-8 checked here against the frame format's
// limits (docs/notifications.md), which JSON schema cannot express.
import type { FastifySchemaValidationError } from 'fastify';
import { STR16_MAX_BYTES, STR8_MAX_BYTES, stringProblem, UINT32_MAX } from './notification.js';

/** Events one POST may carry. */
const MAX_EVENTS_PER_REQUEST = 1000;
/** Largest request body: room for one event with every str16 at its limit. */
export const MAX_BODY_BYTES = 1024 * 1024;

// A character is at least one UTF-8 byte: these bounds only cut off the hopeless early.
const str8 = { type: 'string', minLength: 1, maxLength: STR8_MAX_BYTES } as const;
const str16 = { type: 'string', minLength: 1, maxLength: STR16_MAX_BYTES } as const;
const optionalStr16 = { type: 'string', maxLength: STR16_MAX_BYTES } as const;
const uint32 = { type: 'integer', minimum: 0, maximum: UINT32_MAX } as const;

/** One event of POST /v1/newmail. */
export interface NewmailRequestEvent {
  backend: string;
  vuser: string;
  folder: string;
  /** The IMAP uid, or any id the backend's generate_uri understands. */
  messageId: string | number;
  uidValidity?: number;
  sender?: string;
  subject?: string;
}

const newmailEventSchema = {
  type: 'object',
  properties: {
    backend: str8,
    vuser: str8,
    folder: str16,
    messageId: { anyOf: [str16, { type: 'integer', minimum: 0 }] },
    uidValidity: uint32,
    sender: optionalStr16,
    subject: optionalStr16,
  },
  required: ['backend', 'vuser', 'folder', 'messageId'],
  additionalProperties: false,
} as const;

/** The body once a single event is wrapped in an array. */
export const newmailBodySchema = { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST, items: newmailEventSchema } as const;

/** The body of Dovecot 2.3's push_notification OX driver (further fields are ignored). */
export interface OxRequest {
  user: string;
  event: 'messageNew';
  folder: string;
  'imap-uidvalidity'?: number;
  'imap-uid': number;
  from?: string;
  subject?: string;
}

export const oxBodySchema = {
  type: 'object',
  properties: {
    user: { type: 'string', minLength: 1 },
    event: { const: 'messageNew' },
    folder: str16,
    'imap-uidvalidity': uint32,
    'imap-uid': { ...uint32, minimum: 1 },
    from: { type: 'string' },
    subject: { type: 'string' },
  },
  required: ['user', 'event', 'folder', 'imap-uid'],
} as const;

/** The schema's verdict as one line naming the field: `event 2: "folder" must ...`. */
export function describeSchemaError(errors: FastifySchemaValidationError[], batch: boolean): string {
  // An anyOf lists each branch's complaint first; its own error says what was wanted.
  const error = errors.find((candidate) => candidate.keyword === 'anyOf') ?? errors[0];
  if (error === undefined) return 'the body is invalid';
  const [index, ...rest] = error.instancePath.split('/').slice(1);
  const path = batch ? rest : [index, ...rest].filter((part) => part !== undefined);
  const where = batch && index !== undefined ? `event ${index}` : 'the body';
  const field = error.keyword === 'required' ? String(error.params.missingProperty) : path.join('.');
  if (error.keyword === 'additionalProperties') return `${where}: unknown field "${String(error.params.additionalProperty)}"`;
  if (error.keyword === 'maxItems') return `the body holds more than ${MAX_EVENTS_PER_REQUEST} events: send them in several requests`;
  if (error.keyword === 'minItems') return 'the body is an empty array: send at least one event';
  if (error.keyword === 'required') return `${where}: missing field "${field}"`;
  if (error.keyword === 'anyOf') return `${where}: "${field}" must be a string of 1 to ${STR16_MAX_BYTES} characters or a whole number`;
  return `${where}${field === '' ? '' : `: "${field}"`} ${error.message ?? 'is invalid'}`;
}

/** The frame-format problem of one field, or undefined: `[field, problem]`. */
export function byteProblem(fields: Record<string, string | undefined>, str8Fields: readonly string[], requiredFields: readonly string[]): [string, string] | undefined {
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const max = str8Fields.includes(field) ? STR8_MAX_BYTES : STR16_MAX_BYTES;
    const problem = stringProblem(value, requiredFields.includes(field) ? 1 : 0, max);
    if (problem !== undefined) return [field, problem];
  }
  return undefined;
}
