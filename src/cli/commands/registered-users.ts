// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import type { RegisteredUsers } from '../../server/api-types.js';
import { httpOption, tokenFileOption, jsonOption, type QueryOptions } from '../common-options.js';
import { printJson } from '../format-table.js';
import { getJson } from '../http-client.js';
import { parseName } from '../option-parsers.js';

export function addRegisteredUsersCommand(program: Command): void {
  program
    .command('registered-users')
    .description('print the distinct usernames holding BACKEND/VUSER (what a new-mail notifier asks before notifying)')
    .argument('<backend>', 'the backend name, for example SOGo', parseName)
    .argument('<vuser>', 'the user name within the backend', parseName)
    .addOption(jsonOption())
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (backend: string, vuser: string, options: QueryOptions) => {
      const answer = await getJson<RegisteredUsers>(options, `/v1/registered-users?${new URLSearchParams({ backend, vuser })}`);
      if (options.json) return printJson(answer);
      process.stdout.write(answer.usernames.map((name) => `${name}\n`).join(''));
    });
}
