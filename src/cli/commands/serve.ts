// SPDX-License-Identifier: GPL-3.0-or-later
// `mapistore-mgmt serve`: starts the notifier with the checked options, stops it on SIGTERM or
// SIGINT, and on SIGHUP reads its config file and CURVE allow-list again.
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../server/config.js';
import type { NotifierLogger } from '../../server/logger.js';
import type { RunningNotifier } from '../../server/notifier.js';
import { applyConfigFile, ConfigFileError, fromFileOrDefault, readConfigFile } from '../config-file.js';
import { CliError } from '../http-client.js';
import { serveOptions } from '../serve-options.js';

async function start(config: ServeConfig, log: Logger): Promise<RunningNotifier> {
  // Loaded here so that the query commands do not pay for the server's modules.
  const { startNotifier } = await import('../../server/notifier.js');
  const { StartupError } = await import('../../server/startup-error.js');
  try {
    return await startNotifier(config, log);
  } catch (error) {
    if (error instanceof StartupError) throw new CliError(error.message, error.exitCode);
    throw error;
  }
}

/** Stops on SIGTERM/SIGINT (saving the table) and exits 0, or 1 when the final save failed; gives up after the timeout. */
function exitOnSignals(notifier: RunningNotifier, config: ServeConfig, logger: NotifierLogger): void {
  const { log } = logger;
  const exit = (code: number) => void logger.drain().then(() => process.exit(code));
  const shutdown = (reason: string, code: number) => {
    log.info({ reason }, 'shutting down');
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting without finishing it');
      exit(1);
    }, config.shutdownTimeoutMs).unref();
    notifier.stop().then(
      ({ saved }) => {
        log.info({ saved }, 'stopped');
        exit(saved ? code : 1);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM', 0));
  process.once('SIGINT', () => shutdown('SIGINT', 0));
  notifier.receiving.catch((error: unknown) => {
    log.fatal({ err: error }, 'receiving from the socket failed');
    shutdown('receive failure', 1);
  });
}

/**
 * On SIGHUP (the daemon convention) reads the config file again and applies what can change
 * while running: the log level. Other changed settings are named as needing a restart. The
 * table, the socket and HTTP are untouched; a bad file changes nothing.
 */
function reloadOnHangup(command: Command, config: ServeConfig, logger: NotifierLogger): void {
  const { log } = logger;
  process.on('SIGHUP', () => {
    if (config.config === undefined) {
      log.info({ logLevel: config.logLevel }, 'SIGHUP: no --config file to read again; nothing changed');
      return;
    }
    let values: Map<string, unknown>;
    try {
      values = readConfigFile(config.config, command.options);
    } catch (error) {
      log.error({ err: error }, 'SIGHUP: the config file is unusable; nothing changed');
      return;
    }
    const running = config as unknown as Record<string, unknown>;
    const restartNeeded: string[] = [];
    for (const option of command.options) {
      const key = option.attributeName();
      if (key === 'config' || !fromFileOrDefault(command, option)) continue;
      const value = values.has(key) ? values.get(key) : option.defaultValue;
      if (isDeepStrictEqual(value, running[key])) continue;
      if (key === 'logLevel') {
        logger.setLevel(String(value));
        config.logLevel = String(value);
      } else {
        restartNeeded.push(option.long ?? key);
      }
    }
    log.info({ path: config.config, logLevel: config.logLevel }, 'SIGHUP: read the config file again');
    if (restartNeeded.length > 0) log.warn({ path: config.config, settings: restartNeeded }, 'SIGHUP: these changed settings take effect at the next start');
  });
}

export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description(
      'run the notification process: bind the ZeroMQ PULL socket backends push to, keep the registration table ' +
        '(saved in the state directory), and serve it over HTTP (JSON API, change stream, metrics, health). ' +
        'Every option can also come from the MAPISTORE_MGMT_* variable shown.',
    );
  for (const option of serveOptions()) serve.addOption(option);
  serve.action(async (_options: ServeConfig, command: Command) => {
    const file = command.getOptionValue('config') as string | undefined;
    if (file !== undefined) {
      try {
        applyConfigFile(command, file);
      } catch (error) {
        if (error instanceof ConfigFileError) command.error(`error: ${error.message}`, { exitCode: 2 });
        throw error;
      }
    }
    const config = command.opts<ServeConfig>();
    if (config.minLeaseMs > config.maxLeaseMs) {
      command.error(`error: --min-lease-ms (${config.minLeaseMs}) is above --max-lease-ms (${config.maxLeaseMs}): raise the maximum or lower the minimum.`, { exitCode: 2 });
    }
    if (!config.endpoint.startsWith('ipc://') && config.ipcAllowUsers.length + config.ipcAllowGroups.length > 0) {
      command.error('error: --ipc-allow-users and --ipc-allow-groups need an ipc:// --endpoint (a tcp peer has no uid to check).', { exitCode: 2 });
    }
    if (!config.endpoint.startsWith('ipc://') && config.ipcCheckPids) {
      command.error('error: --ipc-check-pids needs an ipc:// --endpoint (a tcp peer has no pid to check).', { exitCode: 2 });
    }
    const { createLogger } = await import('../../server/logger.js');
    const logger = createLogger(config.logLevel);
    reloadOnHangup(command, config, logger);
    const notifier = await start(config, logger.log).catch(async (error: unknown) => {
      await logger.drain();
      throw error;
    });
    exitOnSignals(notifier, config, logger);
    // Beside the config file (above): the CURVE allow-list is read again too.
    process.on('SIGHUP', () => notifier.reloadAllowList());
  });
}
