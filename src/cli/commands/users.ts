// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import type { UserEntry } from '../../server/api-types.js';
import { httpOption, tokenFileOption, jsonOption, limitOption, type ListOptions } from '../common-options.js';
import { formatTable, printJson } from '../format-table.js';
import { getAllPages } from '../http-client.js';
import { parseName } from '../option-parsers.js';

interface UsersOptions extends ListOptions {
  backend?: string;
  vuser?: string;
  username?: string;
}

export function addUsersCommand(program: Command): void {
  program
    .command('users')
    .description('list the registered (backend, username, vuser) triples and their counts, summed over all live sender processes')
    .option('--backend <name>', 'only this backend (exact, case-sensitive)', parseName)
    .option('--vuser <name>', 'only this vuser', parseName)
    .option('--username <name>', 'only this username', parseName)
    .addOption(limitOption())
    .addOption(jsonOption())
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (options: UsersOptions) => {
      const query = new URLSearchParams();
      for (const key of ['backend', 'vuser', 'username'] as const) {
        const value = options[key];
        if (value !== undefined) query.set(key, value);
      }
      const users = await getAllPages<UserEntry>(options, `/v1/users?${query}`, 'users', options.limit);
      if (options.json) return printJson(users);
      if (users.length === 0) return void process.stdout.write('no registered users\n');
      const rows = users.map((u) => [u.backend, u.username, u.vuser, u.count]);
      process.stdout.write(`${formatTable(['BACKEND', 'USERNAME', 'VUSER', 'COUNT'], rows)}\n`);
    });
}
