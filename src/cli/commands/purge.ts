// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import { httpOption, tokenFileOption, type NotifierTarget } from '../common-options.js';
import { CliError, describeFailure, send } from '../http-client.js';

export function addPurgeCommand(program: Command): void {
  program
    .command('purge')
    .description('remove a source and all its registrations now (for a process known to be gone); list sources with `mapistore-mgmt sources`')
    .argument('<source>', 'the source key host/pid/epoch, as `mapistore-mgmt sources` prints it')
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (source: string, options: { http: string }) => {
      const path = `/v1/sources/${source.split('/').map(encodeURIComponent).join('/')}`;
      const response = await send(options, 'DELETE', path);
      if (response.status === 404) throw new CliError(`no source ${source} (list them with \`mapistore-mgmt sources\`)`);
      if (!response.ok) throw new CliError(`the notifier refused the purge: ${await describeFailure(response)}`);
      process.stdout.write(`purged ${source}\n`);
    });
}
