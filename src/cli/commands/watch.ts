// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import type { ChangeEvent } from '../../server/api-types.js';
import { httpOption, tokenFileOption, jsonOption, type QueryOptions } from '../common-options.js';
import { CliError, describeFailure, openStream } from '../http-client.js';
import { readEvents } from '../sse.js';

export function addWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('follow the change stream: print a line each time a (backend, username, vuser) becomes registered or unregistered, and one per new-mail notification; stop with Ctrl-C')
    .addOption(jsonOption())
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (options: QueryOptions) => {
      const response = await openStream(options, '/v1/events');
      if (!response.ok || response.body === null) throw new CliError(`the notifier refused the change stream: ${await describeFailure(response)}`);
      try {
        for await (const { data } of readEvents(response.body)) {
          const event = JSON.parse(data) as ChangeEvent;
          const line = options.json ? data : `${event.time}  ${event.kind.padEnd(12)}  ${event.backend}  ${event.username}  ${event.vuser}`;
          process.stdout.write(`${line}\n`);
        }
      } catch {
        // The connection broke: reported below like a clean end.
      }
      throw new CliError(`the notifier at ${options.http} closed the change stream`);
    });
}
