import { Option, type Command } from 'commander';
import type { Logger } from 'pino';
import type { ServeConfig } from '../../server/config.js';
import { DEFAULT_HTTP, DEFAULTS, defaultEndpoint, defaultStateDir } from '../../server/defaults.js';
import type { NotifierLogger } from '../../server/logger.js';
import type { RunningNotifier } from '../../server/notifier.js';
import { CliError } from '../http-client.js';
import { integerIn, numberIn, parseEndpoint, parseHostPort, parseMode, type HostPort } from '../option-parsers.js';

interface ServeOptions {
  endpoint: string;
  socketMode: number;
  socketGroup?: string;
  http: HostPort;
  stateDir: string;
  heartbeatMs: number;
  leaseMultiplier: number;
  minLeaseMs: number;
  maxLeaseMs: number;
  maxSources: number;
  maxRegistrationsPerSource: number;
  maxFrameBytes: number;
  saveIntervalMs: number;
  rejectionLogIntervalMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
}

const HOUR_MS = 3_600_000;

/** An option read from `--flag` or, failing that, from MAPISTORE_MGMT_<ENV>. */
function option(flags: string, env: string, description: string): Option {
  return new Option(flags, description).env(`MAPISTORE_MGMT_${env}`);
}

function toConfig(options: ServeOptions): ServeConfig {
  return {
    endpoint: options.endpoint,
    socketMode: options.socketMode,
    socketGroup: options.socketGroup,
    httpHost: options.http.host,
    httpPort: options.http.port,
    stateDir: options.stateDir,
    heartbeatMs: options.heartbeatMs,
    leaseMultiplier: options.leaseMultiplier,
    minLeaseMs: options.minLeaseMs,
    maxLeaseMs: options.maxLeaseMs,
    maxSources: options.maxSources,
    maxRegistrationsPerSource: options.maxRegistrationsPerSource,
    maxFrameBytes: options.maxFrameBytes,
    saveIntervalMs: options.saveIntervalMs,
    rejectionLogIntervalMs: options.rejectionLogIntervalMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    logLevel: options.logLevel,
  };
}

async function start(config: ServeConfig, log: Logger): Promise<RunningNotifier> {
  // Loaded here so that the query commands do not pay for the server's modules.
  const { startNotifier, StartupError } = await import('../../server/notifier.js');
  const { SocketDirError } = await import('../../server/ipc-socket-dir.js');
  const { StateDirError } = await import('../../server/state-file.js');
  try {
    return await startNotifier(config, log);
  } catch (error) {
    if (error instanceof SocketDirError || error instanceof StateDirError) throw new CliError(error.message, 2);
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
  program
    .command('serve')
    .description(
      'run the notification process: bind the ZeroMQ PULL socket backends push to, keep the registration table ' +
        '(saved in the state directory), and serve it over HTTP (JSON API, change stream, metrics, health). ' +
        'Every option can also come from the MAPISTORE_MGMT_* variable shown.',
    )
    .addOption(
      option('--endpoint <endpoint>', 'ENDPOINT', 'ZeroMQ endpoint to bind: ipc://ABSOLUTE-PATH or tcp://HOST:PORT')
        .default(defaultEndpoint())
        .argParser(parseEndpoint),
    )
    .addOption(
      option('--socket-mode <octal>', 'SOCKET_MODE', 'mode of the ipc socket directory when the notifier creates it')
        .default(DEFAULTS.socketMode, '0750')
        .argParser(parseMode),
    )
    .addOption(option('--socket-group <group>', 'SOCKET_GROUP', 'group (name or gid) of the ipc socket directory when the notifier creates it'))
    .addOption(
      option('--http <host:port>', 'HTTP', 'HTTP API address; port 0 picks a free port (the log says which)')
        .default(parseHostPort(DEFAULT_HTTP), DEFAULT_HTTP)
        .argParser(parseHostPort),
    )
    .addOption(
      option('--state-dir <dir>', 'STATE_DIR', 'where the table is saved ($STATE_DIRECTORY under systemd, else ${XDG_STATE_HOME:-~/.local/state}/mapistore-mgmt)')
        .default(defaultStateDir(), defaultStateDir()),
    )
    .addOption(
      option('--heartbeat-ms <ms>', 'HEARTBEAT_MS', 'heartbeat interval assumed for a sender until its first heartbeat announces its own')
        .default(DEFAULTS.heartbeatMs)
        .argParser(integerIn(10, HOUR_MS)),
    )
    .addOption(
      option('--lease-multiplier <n>', 'LEASE_MULTIPLIER', "a silent sender expires after this many of its heartbeat intervals")
        .default(DEFAULTS.leaseMultiplier)
        .argParser(numberIn(1, 100)),
    )
    .addOption(
      option('--min-lease-ms <ms>', 'MIN_LEASE_MS', 'shortest lease, whatever the interval')
        .default(DEFAULTS.minLeaseMs)
        .argParser(integerIn(10, 24 * HOUR_MS)),
    )
    .addOption(
      option('--max-lease-ms <ms>', 'MAX_LEASE_MS', 'longest lease, whatever the interval')
        .default(DEFAULTS.maxLeaseMs)
        .argParser(integerIn(10, 24 * HOUR_MS)),
    )
    .addOption(
      option('--max-sources <n>', 'MAX_SOURCES', 'sender processes tracked at most; messages from more are rejected')
        .default(DEFAULTS.maxSources)
        .argParser(integerIn(1, 10_000_000)),
    )
    .addOption(
      option('--max-registrations-per-source <n>', 'MAX_REGISTRATIONS_PER_SOURCE', 'distinct triples one sender may hold')
        .default(DEFAULTS.maxRegistrationsPerSource)
        .argParser(integerIn(1, 10_000_000)),
    )
    .addOption(
      option('--max-frame-bytes <bytes>', 'MAX_FRAME_BYTES', 'largest message accepted; larger ones are rejected as oversized')
        .default(DEFAULTS.maxFrameBytes)
        .argParser(integerIn(2048, 256 * 1024 * 1024)),
    )
    .addOption(
      option('--save-interval-ms <ms>', 'SAVE_INTERVAL_MS', 'how often a changed table is written to the state directory')
        .default(DEFAULTS.saveIntervalMs)
        .argParser(integerIn(10, HOUR_MS)),
    )
    .addOption(
      option('--rejection-log-interval-ms <ms>', 'REJECTION_LOG_INTERVAL_MS', 'at most one log line per rejection reason per interval')
        .default(DEFAULTS.rejectionLogIntervalMs)
        .argParser(integerIn(0, HOUR_MS)),
    )
    .addOption(
      option('--shutdown-timeout-ms <ms>', 'SHUTDOWN_TIMEOUT_MS', 'a graceful shutdown taking longer is cut short (exit 1)')
        .default(DEFAULTS.shutdownTimeoutMs)
        .argParser(integerIn(100, 10 * 60_000)),
    )
    .addOption(
      option('--log-level <level>', 'LOG_LEVEL', 'log level of the JSON log on stdout')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .action(async (options: ServeOptions, command: Command) => {
      if (options.minLeaseMs > options.maxLeaseMs) {
        command.error(`error: --min-lease-ms (${options.minLeaseMs}) is above --max-lease-ms (${options.maxLeaseMs}): raise the maximum or lower the minimum.`, { exitCode: 2 });
      }
      const config = toConfig(options);
      const { createLogger } = await import('../../server/logger.js');
      const logger = createLogger(config.logLevel);
      const notifier = await start(config, logger.log).catch(async (error: unknown) => {
        await logger.drain();
        throw error;
      });
      exitOnSignals(notifier, config, logger);
    });
}
