// SPDX-License-Identifier: GPL-3.0-or-later
// The options of `mapistore-mgmt serve`: each is a flag or, when the flag is absent, the variable
// MAPISTORE_MGMT_<FLAG>, checked at parse time. Their values make a ServeConfig.
import { Option } from 'commander';
import { DEFAULT_HTTP, DEFAULTS, defaultEndpoint, defaultStateDir, LIBRARY_LIMITS } from '../server/defaults.js';
import { NEWMAIL_DEFAULTS } from '../newmail/config.js';
import { integerIn, numberIn, parseEndpoint, parseHostNames, parseIdList, parseHostPort, parseIpcEndpoint, parseMode, parseName, parseNames, parseSwitch, parseVuserTemplate } from './option-parsers.js';

const HOUR_MS = 3_600_000;

/** An option read from `--flag` or, failing that, from the variable MAPISTORE_MGMT_FLAG. */
function option(flags: string, description: string): Option {
  const name = flags.split(' ')[0] ?? flags;
  return new Option(flags, description).env(`MAPISTORE_MGMT_${name.slice(2).toUpperCase().replaceAll('-', '_')}`);
}

/**
 * An off-by-default switch: `--flag` alone, or `--flag on|off`; its variable and config line
 * take the same words (commander would take any value of a plain flag's variable as on).
 */
function switchOption(flag: string, description: string): Option {
  return option(`${flag} [on|off]`, description).preset('on').argParser(parseSwitch).default(false);
}

/** The numeric settings: flag, help, default, and the parser that checks the range. */
const NUMBERS: Array<[flags: string, description: string, defaultValue: number, parse: (value: string) => number]> = [
  ['--heartbeat-ms <ms>', 'heartbeat interval assumed for a sender until its first heartbeat announces its own', DEFAULTS.heartbeatMs, integerIn(10, HOUR_MS)],
  ['--lease-multiplier <n>', 'a silent sender expires after this many of its heartbeat intervals', DEFAULTS.leaseMultiplier, numberIn(1, 100)],
  ['--min-lease-ms <ms>', 'shortest lease, whatever the interval', DEFAULTS.minLeaseMs, integerIn(10, 24 * HOUR_MS)],
  ['--max-lease-ms <ms>', 'longest lease, whatever the interval', DEFAULTS.maxLeaseMs, integerIn(10, 24 * HOUR_MS)],
  ['--empty-lease-ms <ms>', 'a sender that holds no registration expires this long after its last message, if its lease is longer', DEFAULTS.emptyLeaseMs, integerIn(2 * LIBRARY_LIMITS.announceSilenceMs, 24 * HOUR_MS)],
  ['--max-sources <n>', 'sender processes tracked at most; messages from more are rejected', DEFAULTS.maxSources, integerIn(1, 10_000_000)],
  ['--max-sources-per-pid <n>', 'with --ipc-check-pids: sender processes one pid may claim at most', DEFAULTS.maxSourcesPerPid, integerIn(1, 1_000)],
  ['--max-registrations-per-source <n>', 'distinct triples one sender may hold', DEFAULTS.maxRegistrationsPerSource, integerIn(1, 10_000_000)],
  ['--max-registrations <n>', 'distinct triples held over all senders (a triple held by two senders counts twice); messages that would add more are rejected as table-full', DEFAULTS.maxRegistrations, integerIn(1, 100_000_000)],
  ['--max-event-subscribers <n>', 'clients following the change stream at once; more are refused with a 503', DEFAULTS.maxEventSubscribers, integerIn(0, 100_000)],
  ['--receive-hwm <messages>', 'messages queued unread per connected sender (ZMQ_RCVHWM); beyond it the sender\'s own queue fills and it drops', DEFAULTS.receiveHwm, integerIn(1, 1_000_000)],
  ['--max-frame-bytes <bytes>', 'largest frame accepted; larger ones are rejected as oversized', DEFAULTS.maxFrameBytes, integerIn(LIBRARY_LIMITS.maxFrameBytes, 256 * 1024 * 1024)],
  ['--save-interval-ms <ms>', 'how often a changed table is written to the state directory', DEFAULTS.saveIntervalMs, integerIn(10, HOUR_MS)],
  ['--rejection-log-interval-ms <ms>', 'at most one log line per rejection reason per interval', DEFAULTS.rejectionLogIntervalMs, integerIn(0, HOUR_MS)],
  ['--shutdown-timeout-ms <ms>', 'a graceful shutdown taking longer is cut short (exit 1)', DEFAULTS.shutdownTimeoutMs, integerIn(100, 10 * 60_000)],
];

/** Every option of `serve`, in the order `--help` shows them. */
export function serveOptions(): Option[] {
  return [
    option('--endpoint <endpoint>', 'ZeroMQ endpoint to bind: ipc://ABSOLUTE-PATH or tcp://HOST:PORT').default(defaultEndpoint()).argParser(parseEndpoint),
    option('--socket-mode <octal>', 'mode of the ipc socket directory when the notifier creates it').default(DEFAULTS.socketMode, '0750').argParser(parseMode),
    option('--socket-group <group>', 'group (name or gid) of the ipc socket directory when the notifier creates it'),
    option('--ipc-allow-users <users>', 'only these users (names or uids, comma-separated) may connect over ipc, checked by the kernel\'s peer credentials').default([], 'anyone the directory lets in').argParser(parseIdList('passwd')),
    option('--ipc-allow-groups <groups>', 'only peers whose primary group is one of these (names or gids) may connect over ipc, besides --ipc-allow-users').default([], 'anyone the directory lets in').argParser(parseIdList('group')),
    switchOption('--ipc-check-pids', "refuse messages claiming a pid that is not an ipc peer's (kernel credentials), and limit senders per pid (--max-sources-per-pid); senders must share the notifier's pid namespace"),
    option('--curve-secret-key-file <file>', "the notifier's CURVE secret key (from `mapistore-mgmt keygen`; not readable by others): encrypts and authenticates the socket, required on tcp"),
    option('--curve-allow <path>', 'client public keys admitted with CURVE: a directory of LABEL.pub files, or a file of "LABEL KEY" lines'),
    switchOption('--insecure-plain-tcp', 'allow a tcp endpoint without CURVE, on a loopback address only (anyone on the host can then send)'),
    option('--http <host:port>', 'HTTP API address; port 0 picks a free port (the log says which)').default(parseHostPort(DEFAULT_HTTP), DEFAULT_HTTP).argParser(parseHostPort),
    option('--http-token-file <file>', 'file holding the HTTP bearer token (not readable by others); without one, purge is refused and only loopback may listen'),
    option('--http-auth <scope>', 'what the token guards: writes (purge) or all (every route but /healthz and /readyz)').choices(['writes', 'all']).default('writes'),
    option('--http-allowed-hosts <names>', 'comma-separated host names HTTP requests may carry besides localhost and literal addresses (DNS rebinding guard)').default([], 'none').argParser(parseHostNames),
    option('--http-tls-cert-file <file>', 'serve HTTPS with this certificate (chain), PEM; with --http-tls-key-file'),
    option('--http-tls-key-file <file>', 'the private key of --http-tls-cert-file, PEM (not readable by others)'),
    option('--newmail-endpoint <endpoint>', 'ZeroMQ PUB endpoint for new-mail notifications, ipc://ABSOLUTE-PATH (default: newmail.sock beside the --endpoint socket)').argParser(parseIpcEndpoint),
    option('--newmail-backends <names>', 'comma-separated backends POST /v1/newmail accepts (besides --ox-backend)').default(parseNames(NEWMAIL_DEFAULTS.backends), NEWMAIL_DEFAULTS.backends).argParser(parseNames),
    option('--ox-backend <name>', "the backend of the users Dovecot's OX driver names").default(NEWMAIL_DEFAULTS.oxBackend).argParser(parseName),
    option('--ox-vuser <template>', "the vuser of an OX driver's user: %u the user, %n its part before @, %d its domain").default(NEWMAIL_DEFAULTS.oxVuser).argParser(parseVuserTemplate),
    option('--state-dir <dir>', 'where the table is saved ($STATE_DIRECTORY under systemd, else ${XDG_STATE_HOME:-~/.local/state}/mapistore-mgmt)').default(defaultStateDir()),
    ...NUMBERS.map(([flags, description, defaultValue, parse]) => option(flags, description).default(defaultValue).argParser(parse)),
    option('--log-level <level>', 'log level of the JSON log on stdout (SIGHUP applies a new one from the config file)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    option('--config <file>', 'a file of MAPISTORE_MGMT_*=value lines (systemd EnvironmentFile syntax) for the settings given by neither flag nor variable; read again on SIGHUP'),
  ];
}
