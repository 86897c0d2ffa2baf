#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// mapistore-mgmt: runs the notification process (`serve`) and queries it.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../server/version.js';
import { addKeygenCommand } from './commands/keygen.js';
import { addPurgeCommand } from './commands/purge.js';
import { addRegisteredUsersCommand } from './commands/registered-users.js';
import { addServeCommand } from './commands/serve.js';
import { addSourcesCommand } from './commands/sources.js';
import { addStatusCommand } from './commands/status.js';
import { addUsersCommand } from './commands/users.js';
import { addWatchCommand } from './commands/watch.js';
import { CliError } from './http-client.js';

const program = new Command('mapistore-mgmt')
  .description('Run and query the mapistore-mgmt notifier: which users hold mapistore contexts right now.')
  .version(VERSION)
  // Usage errors exit 2, like other Unix tools; help and --version exit 0.
  .exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2));

addServeCommand(program);
addUsersCommand(program);
addRegisteredUsersCommand(program);
addSourcesCommand(program);
addStatusCommand(program);
addPurgeCommand(program);
addWatchCommand(program);
addKeygenCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  process.stderr.write(`mapistore-mgmt: ${error.message}\n`);
  process.exit(error.exitCode);
}
