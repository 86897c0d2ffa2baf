// SPDX-License-Identifier: GPL-3.0-or-later
// Query-string checks for the /v1 routes: a JSON schema fastify validates, and a 400 message
// that names the parameter and says what a valid request looks like.
import type { FastifySchemaValidationError } from 'fastify';

/** A backend, username or vuser filter: the protocol's strings are 1..255 bytes. */
const NAME = { type: 'string', minLength: 1, maxLength: 255 } as const;

/**
 * Rows per page of a listing when the request names no `limit`, and the most it may ask.
 * registered-users answered every username in one answer before it was paged, so its default
 * is the maximum: an answer that came whole still does, up to 1000 usernames.
 */
export const PAGE = { defaultLimit: 500, registeredUsersDefaultLimit: 1000, maxLimit: 1000 } as const;

/** The paging parameters of a listing: where to continue, and how many rows at most. */
function paging(defaultLimit: number) {
  return {
    cursor: { type: 'string', minLength: 1, maxLength: 2048 },
    limit: { type: 'integer', minimum: 1, maximum: PAGE.maxLimit, default: defaultLimit },
  } as const;
}

/** What every bad paging parameter gets told, whatever rule it broke. */
const PAGING_HELP: Record<string, string> = {
  cursor: 'query parameter "cursor" must be the "next" of a previous page, given once',
  limit: `query parameter "limit" must be a whole number from 1 to ${PAGE.maxLimit}, given once`,
};

/**
 * Route options accepting only the query parameters `names` (`required` among them), each a
 * name, plus `cursor` and `limit` when `paged` (true: `limit` defaults to PAGE.defaultLimit; a
 * number: to that); `response` is the route's response schema, if any (fastify serialises
 * faster with one).
 */
export function queryOnly(names: readonly string[], required: readonly string[] = [], response?: object, paged: boolean | number = false) {
  const pagingParameters = paged === false ? {} : paging(paged === true ? PAGE.defaultLimit : paged);
  const known = [...names, ...Object.keys(pagingParameters)];
  return {
    schema: {
      querystring: {
        type: 'object',
        properties: { ...Object.fromEntries(names.map((name) => [name, NAME])), ...pagingParameters },
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      },
      ...(response ? { response } : {}),
    },
    schemaErrorFormatter: (errors: FastifySchemaValidationError[]) => new Error(describe(errors[0], known, required)),
  };
}

function describe(error: FastifySchemaValidationError | undefined, names: readonly string[], required: readonly string[]): string {
  const name = error?.instancePath.slice(1) ?? '';
  const paging = PAGING_HELP[name];
  if (paging !== undefined) return paging;
  switch (error?.keyword) {
    case 'additionalProperties': {
      const known = names.length > 0 ? `known: ${names.join(', ')}` : 'this request takes none';
      return `unknown query parameter "${String(error.params.additionalProperty)}" (${known})`;
    }
    case 'required':
      return `missing query parameter "${String(error.params.missingProperty)}"`;
    case 'minLength':
      return `query parameter "${name}" is empty: give a value${required.includes(name) ? '' : ' or leave it out'}`;
    case 'maxLength':
      return `query parameter "${name}" is longer than 255 characters`;
    case 'type':
      return `query parameter "${name}" is given more than once`;
    default:
      return `query parameter "${name}" ${error?.message ?? 'is invalid'}`;
  }
}
