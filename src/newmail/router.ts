// SPDX-License-Identifier: GPL-3.0-or-later
// Routing: each new-mail event goes to the usernames registered for its (backend, vuser) at
// that moment, one notification each, on the PUB socket and the change stream.
import type { RegistrationTable } from '../table/table.js';
import type { Intake, NewmailMetrics, RouteResult } from './metrics.js';
import type { Notification } from './notification.js';

/** A checked event: a notification still without its username. */
export type NewmailEvent = Omit<Notification, 'username'>;

export interface RoutedEvent {
  backend: string;
  vuser: string;
  result: RouteResult;
  /** Who was notified (empty when nobody holds the pair). */
  usernames: string[];
}

export interface RouterDeps {
  table: RegistrationTable;
  metrics: NewmailMetrics;
  /** Sends one notification to its username's subscribers. */
  deliver: (notification: Notification) => void;
}

export class NewmailRouter {
  constructor(private readonly deps: RouterDeps) {}

  route(events: readonly NewmailEvent[], intake: Intake): RoutedEvent[] {
    const { table, metrics, deliver } = this.deps;
    return events.map((event) => {
      const usernames = table.registeredUsers(event.backend, event.vuser);
      for (const username of usernames) deliver({ ...event, username });
      const result: RouteResult = usernames.length > 0 ? 'delivered' : 'no-registered-user';
      metrics.events.inc({ intake, result });
      metrics.notifications.inc(usernames.length);
      return { backend: event.backend, vuser: event.vuser, result, usernames };
    });
  }
}
