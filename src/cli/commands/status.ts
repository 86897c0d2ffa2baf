// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import type { Status } from '../../server/api-types.js';
import { httpOption, tokenFileOption, jsonOption, type QueryOptions } from '../common-options.js';
import { formatTable, printJson } from '../format-table.js';
import { getJson } from '../http-client.js';

function describe(status: Status): string {
  const c = status.counters;
  const messages = Object.entries(c.messages).flatMap(([kind, results]) =>
    Object.entries(results).map(([result, count]) => [kind, result, count]),
  );
  // Every reason is reported, most at 0: only those that happened are worth a row.
  const rejections = Object.entries(c.rejections).filter(([, count]) => count > 0);
  const facts: Array<[string, string | number]> = [
    ['version', status.version],
    ['uptime', `${status.uptimeSeconds}s`],
    ['endpoint', status.endpoint],
    ['ready', status.ready ? 'yes' : 'no'],
    ['sources', status.sizes.sources],
    ['users', status.sizes.users],
    ['registrations', status.sizes.registrations],
    ['repairs', c.repairs],
    ['gaps', c.gaps],
    ['expirations', c.expirations],
    ['unmatched', c.unmatchedUnregisters],
    ['sender drops', c.senderDrops],
  ];
  return [
    ...facts.map(([name, value]) => `${`${name}:`.padEnd(15)}${value}`),
    '',
    messages.length > 0 ? formatTable(['KIND', 'RESULT', 'MESSAGES'], messages) : 'no messages yet',
    ...(rejections.length > 0 ? ['', formatTable(['REJECTED BECAUSE', 'MESSAGES'], rejections)] : []),
  ].join('\n');
}

export function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description("show the notifier's version, uptime, endpoint, table sizes and message counters")
    .addOption(jsonOption())
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (options: QueryOptions) => {
      const status = await getJson<Status>(options, '/v1/status');
      if (options.json) return printJson(status);
      process.stdout.write(`${describe(status)}\n`);
    });
}
