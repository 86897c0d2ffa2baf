// Query-string checks for the /v1 routes: a JSON schema fastify validates, and a 400 message
// that names the parameter and says what a valid request looks like.
import type { FastifySchemaValidationError } from 'fastify';

/** A backend, username or vuser filter: the protocol's strings are 1..255 bytes. */
const NAME = { type: 'string', minLength: 1, maxLength: 255 } as const;

/**
 * Route options accepting only the query parameters `names` (`required` among them), each a
 * name; `response` is the route's response schema, if any (fastify serialises faster with one).
 */
export function queryOnly(names: readonly string[], required: readonly string[] = [], response?: object) {
  return {
    schema: {
      querystring: {
        type: 'object',
        properties: Object.fromEntries(names.map((name) => [name, NAME])),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      },
      ...(response ? { response } : {}),
    },
    schemaErrorFormatter: (errors: FastifySchemaValidationError[]) => new Error(describe(errors[0], names, required)),
  };
}

function describe(error: FastifySchemaValidationError | undefined, names: readonly string[], required: readonly string[]): string {
  const name = error?.instancePath.slice(1) ?? '';
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
