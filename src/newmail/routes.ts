// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail intake on the notifier's HTTP listener: POST /v1/newmail (our JSON, one event or
// a batch) and PUT /v1/newmail/ox (Dovecot's push_notification OX driver). A request is checked
// whole before anything is routed: one bad event rejects it, counted, and publishes nothing.
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { RateLimitedLog } from '../server/rate-limited-log.js';
import {
  byteProblem,
  describeSchemaError,
  MAX_BODY_BYTES,
  newmailBodySchema,
  oxBodySchema,
  type NewmailRequestEvent,
  type OxRequest,
} from './intake-schema.js';
import type { Intake, IntakeRejectReason, NewmailMetrics } from './metrics.js';
import { STR16_MAX_BYTES } from './notification.js';
import type { MappedUser } from './ox-mapping.js';
import type { NewmailEvent, NewmailRouter, RoutedEvent } from './router.js';

export interface NewmailRoutesDeps {
  router: NewmailRouter;
  metrics: NewmailMetrics;
  rejectionLog: RateLimitedLog;
  /** Backends POST /v1/newmail accepts. */
  backends: ReadonlySet<string>;
  /** The configured rule for an OX driver's `user`. */
  mapOxUser: (user: string) => MappedUser;
}

/** A request refused for a reason the route found (after the schema passed). */
class IntakeError extends Error {
  constructor(
    readonly reason: IntakeRejectReason,
    message: string,
  ) {
    super(message);
  }
}

const STATUS: Record<IntakeRejectReason, number> = {
  'invalid-json': 400,
  'invalid-event': 400,
  'unknown-backend': 400,
  'body-too-large': 413,
  'unsupported-media-type': 415,
};

function reasonOf(error: FastifyError): IntakeRejectReason | undefined {
  if (error instanceof IntakeError) return error.reason;
  if (error.validation !== undefined) return 'invalid-event';
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'invalid-json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body-too-large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported-media-type';
    default:
      return undefined;
  }
}

/** Answers a rejected request `{ error: reason, message }`, counted and logged (rate-limited). */
function rejecting(intake: Intake, deps: NewmailRoutesDeps) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const reason = reasonOf(error);
    if (reason === undefined) throw error;
    let message = error.message;
    if (reason === 'body-too-large') message = `the body is larger than ${MAX_BODY_BYTES} bytes: send fewer events per request`;
    if (reason === 'unsupported-media-type') message = 'send the body as Content-Type: application/json';
    deps.metrics.rejections.inc({ intake, reason });
    deps.rejectionLog.warn(`newmail-${intake}-${reason}`, { intake, reason, detail: message, remote: request.ip }, 'rejected a new-mail request');
    return reply.code(STATUS[reason]).send({ error: reason, message });
  };
}

function checkNewmailEvent(event: NewmailRequestEvent, index: number, backends: ReadonlySet<string>): NewmailEvent {
  const messageId = String(event.messageId);
  const problem = byteProblem(
    { backend: event.backend, vuser: event.vuser, folder: event.folder, messageId, sender: event.sender, subject: event.subject },
    ['backend', 'vuser'],
    ['backend', 'vuser', 'folder', 'messageId'],
  );
  if (problem !== undefined) throw new IntakeError('invalid-event', `event ${index}: "${problem[0]}" ${problem[1]}`);
  if (!backends.has(event.backend)) {
    throw new IntakeError('unknown-backend', `event ${index}: backend "${event.backend}" is not accepted (--newmail-backends: ${[...backends].join(', ')})`);
  }
  const checked: NewmailEvent = { backend: event.backend, vuser: event.vuser, folder: event.folder, messageId, uidValidity: event.uidValidity ?? 0 };
  if (event.sender) checked.sender = event.sender;
  if (event.subject) checked.subject = event.subject;
  return checked;
}

/** At most `max` bytes of `text`, cut on a character boundary. */
function truncateUtf8(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  // Drop the replacement character a cut inside a character leaves.
  return bytes.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}

function checkOxRequest(body: OxRequest, mapUser: (user: string) => MappedUser): NewmailEvent {
  const { backend, vuser } = mapUser(body.user);
  // The sender and subject only inform: an over-long one is shortened rather than the mail lost.
  const sender = body.from === undefined ? undefined : truncateUtf8(body.from, STR16_MAX_BYTES);
  const subject = body.subject === undefined ? undefined : truncateUtf8(body.subject, STR16_MAX_BYTES);
  const problem = byteProblem({ vuser, folder: body.folder, sender, subject }, ['vuser'], ['vuser', 'folder']);
  if (problem !== undefined) {
    const field = problem[0] === 'vuser' ? `the vuser "${vuser}" mapped from user "${body.user}" (--ox-vuser)` : `"${problem[0]}"`;
    throw new IntakeError('invalid-event', `${field} ${problem[1]}`);
  }
  const event: NewmailEvent = { backend, vuser, folder: body.folder, messageId: String(body['imap-uid']), uidValidity: body['imap-uidvalidity'] ?? 0 };
  if (sender) event.sender = sender;
  if (subject) event.subject = subject;
  return event;
}

export function registerNewmailRoutes<Log extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Log>,
  deps: NewmailRoutesDeps,
): void {
  app.post<{ Body: NewmailRequestEvent[] }>(
    '/v1/newmail',
    {
      bodyLimit: MAX_BODY_BYTES,
      schema: { body: newmailBodySchema },
      // One event or an array of them: the schema sees an array either way.
      preValidation: async (request) => {
        if (!Array.isArray(request.body)) request.body = [request.body as unknown as NewmailRequestEvent];
      },
      schemaErrorFormatter: (errors: FastifySchemaValidationError[]) => new Error(describeSchemaError(errors, true)),
      errorHandler: rejecting('newmail', deps),
    },
    async (request): Promise<{ results: RoutedEvent[] }> => {
      const events = request.body.map((event, index) => checkNewmailEvent(event, index, deps.backends));
      return { results: deps.router.route(events, 'newmail') };
    },
  );

  app.put<{ Body: OxRequest }>(
    '/v1/newmail/ox',
    {
      bodyLimit: MAX_BODY_BYTES,
      schema: { body: oxBodySchema },
      schemaErrorFormatter: (errors: FastifySchemaValidationError[]) => new Error(describeSchemaError(errors, false)),
      errorHandler: rejecting('ox', deps),
    },
    async (request): Promise<{ results: RoutedEvent[] }> => ({ results: deps.router.route([checkOxRequest(request.body, deps.mapOxUser)], 'ox') }),
  );
}
