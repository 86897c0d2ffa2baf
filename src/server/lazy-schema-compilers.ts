// SPDX-License-Identifier: GPL-3.0-or-later
// Fastify's own schema compilers (ajv for requests, fast-json-stringify for responses, with the
// options given to fastify), each route's schema compiled on the route's first request instead
// of at start: compiling them all was about a tenth of the notifier's start, and most routes are
// not asked for in its first seconds. A route answers exactly as with the compilers fastify
// installs itself (the 400s are ajv's errors, formatted by the route); only a schema that does
// not compile would show at its route's first request (a 500) instead of at start, which is why
// route-schemas.test.ts compiles them all.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

/** Loads a package as fastify itself resolves it: the very compilers fastify would use. */
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

function lazyValidators(): ValidatorFactory {
  const buildCompiler = (requireFromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)();
  return (externalSchemas, options) => {
    const compile = buildCompiler(externalSchemas, options);
    type Validate = ReturnType<typeof compile>;
    return (route) => {
      let compiled: Validate | undefined;
      const validate = () => (compiled ??= compile(route));
      // What fastify uses of ajv's function: the call, `schemaEnv` read before each call (given
      // one, fastify hands ajv the value's parent, so that ajv may replace the value) and
      // `errors` after a failed one.
      const lazy = Object.defineProperties((data: unknown, context?: Parameters<Validate>[1]) => validate()(data, context), {
        schemaEnv: { get: () => validate().schemaEnv },
        errors: { get: () => validate().errors },
      });
      return lazy as unknown as Validate;
    };
  };
}

/** Only the listings have response schemas: fast-json-stringify itself loads on the first one's first request. */
function lazySerializers(): SerializerFactory {
  return (externalSchemas, options) => {
    let compile: ReturnType<SerializerFactory> | undefined;
    const compiler = () => (compile ??= (requireFromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)()(externalSchemas, options));
    return (route) => {
      let serialize: ReturnType<ReturnType<SerializerFactory>> | undefined;
      return (data) => (serialize ??= compiler()(route))(data);
    };
  };
}

/**
 * Fastify's `schemaController` option. Fastify then counts the validator compiler as a custom
 * one, which changes only how it prepares a `headers` schema (it would not lower-case its
 * keys): no route has one.
 */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  return { compilersFactory: { buildValidator: lazyValidators(), buildSerializer: lazySerializers() } };
}
