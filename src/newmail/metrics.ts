// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail counters, in the notifier's registry (GET /metrics).
import { Counter, Gauge, type Registry } from 'prom-client';

const INTAKES = ['newmail', 'ox'] as const;
export type Intake = (typeof INTAKES)[number];
const ROUTE_RESULTS = ['delivered', 'no-registered-user'] as const;
export type RouteResult = (typeof ROUTE_RESULTS)[number];
const INTAKE_REJECT_REASONS = ['invalid-json', 'invalid-event', 'unknown-backend', 'body-too-large', 'unsupported-media-type'] as const;
export type IntakeRejectReason = (typeof INTAKE_REJECT_REASONS)[number];

const PREFIX = 'mapistore_mgmt_newmail_';

export class NewmailMetrics {
  readonly events: Counter<'intake' | 'result'>;
  readonly rejections: Counter<'intake' | 'reason'>;
  readonly notifications: Counter;

  constructor(registry: Registry, subscriptions: () => number) {
    const registers = [registry];
    this.events = new Counter({
      name: `${PREFIX}events_total`,
      help: 'New-mail events routed, by intake (newmail: POST /v1/newmail, ox: Dovecot OX driver) and result (delivered, no-registered-user).',
      labelNames: ['intake', 'result'],
      registers,
    });
    this.rejections = new Counter({
      name: `${PREFIX}rejections_total`,
      help: 'New-mail requests rejected whole (nothing published), by intake and reason.',
      labelNames: ['intake', 'reason'],
      registers,
    });
    this.notifications = new Counter({
      name: `${PREFIX}notifications_total`,
      help: 'Notifications published on the PUB socket (one per registered username of a delivered event).',
      registers,
    });
    new Gauge({
      name: `${PREFIX}subscriptions`,
      help: 'Username subscriptions held by the subscribers of the PUB socket (OpenChange server processes).',
      registers,
      collect() {
        this.set(subscriptions());
      },
    });
    // Every label shows from the start (at 0), so dashboards and alerts need no special case.
    for (const intake of INTAKES) {
      for (const result of ROUTE_RESULTS) this.events.inc({ intake, result }, 0);
      for (const reason of INTAKE_REJECT_REASONS) this.rejections.inc({ intake, reason }, 0);
    }
  }
}
