// `mapistore-mgmt serve`: starts the notifier with the checked options, stops it on a signal.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../server/config.js';
import type { NotifierLogger } from '../../server/logger.js';
import type { RunningNotifier } from '../../server/notifier.js';
import { CliError } from '../http-client.js';
import { serveOptions } from '../serve-options.js';

async function start(config: ServeConfig, log: Logger): Promise<RunningNotifier> {
  // Loaded here so that the query commands do not pay for the server's modules.
  const { startNotifier, StartupError } = await import('../../server/notifier.js');
  const { SocketDirError } = await import('../../server/ipc-socket-dir.js');
  const { StateDirError } = await import('../../server/state-file.js');
  const { HttpAuthError } = await import('../../server/http-token.js');
  const { CurveConfigError } = await import('../../server/curve-keys.js');
  try {
    return await startNotifier(config, log);
  } catch (error) {
    if (error instanceof SocketDirError || error instanceof StateDirError || error instanceof HttpAuthError || error instanceof CurveConfigError) throw new CliError(error.message, 2);
    if (error instanceof StartupError) throw new CliError(error.message);
    throw error;
  }
}

/** Stops on SIGTERM/SIGINT (saving the table) and exits 0; gives up after the timeout. */
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
      () => {
        log.info('stopped');
        exit(code);
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

export function addServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description(
      'run the notification process: bind the ZeroMQ PULL socket backends push to, keep the registration table ' +
        '(saved in the state directory), and serve it over HTTP (JSON API, change stream, metrics, health). ' +
        'Every option can also come from the MAPISTORE_MGMT_* variable shown.',
    );
  for (const option of serveOptions()) serve.addOption(option);
  serve.action(async (config: ServeConfig, command: Command) => {
    if (config.minLeaseMs > config.maxLeaseMs) {
      command.error(`error: --min-lease-ms (${config.minLeaseMs}) is above --max-lease-ms (${config.maxLeaseMs}): raise the maximum or lower the minimum.`, { exitCode: 2 });
    }
    if (!config.endpoint.startsWith('ipc://') && config.ipcAllowUsers.length + config.ipcAllowGroups.length > 0) {
      command.error('error: --ipc-allow-users and --ipc-allow-groups need an ipc:// --endpoint (a tcp peer has no uid to check).', { exitCode: 2 });
    }
    const { createLogger } = await import('../../server/logger.js');
    const logger = createLogger(config.logLevel);
    const notifier = await start(config, logger.log).catch(async (error: unknown) => {
      await logger.drain();
      throw error;
    });
    exitOnSignals(notifier, config, logger);
  });
}
