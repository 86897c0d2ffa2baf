// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import type { RegisteredUsers } from '../../server/api-types.js';
import { httpOption, tokenFileOption, jsonOption, limitOption, type ListOptions } from '../common-options.js';
import { printJson } from '../format-table.js';
import { getAllPages } from '../http-client.js';
import { parseName } from '../option-parsers.js';

export function addRegisteredUsersCommand(program: Command): void {
  program
    .command('registered-users')
    .description('print the distinct usernames holding BACKEND/VUSER (what a new-mail notifier asks before notifying)')
    .argument('<backend>', 'the backend name, for example SOGo', parseName)
    .argument('<vuser>', 'the user name within the backend', parseName)
    .addOption(limitOption())
    .addOption(jsonOption())
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (backend: string, vuser: string, options: ListOptions) => {
      const usernames = await getAllPages<string>(options, `/v1/registered-users?${new URLSearchParams({ backend, vuser })}`, 'usernames', options.limit);
      // Every page in one answer, as a single page of the API would be.
      if (options.json) return printJson({ backend, vuser, usernames } satisfies Omit<RegisteredUsers, 'next'>);
      process.stdout.write(usernames.map((name) => `${name}\n`).join(''));
    });
}
