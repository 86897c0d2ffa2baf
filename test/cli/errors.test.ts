// SPDX-License-Identifier: GPL-3.0-or-later
// What the CLI says, and its exit status, when the invocation is wrong or the notifier is absent.
import { existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, runCli } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

afterAll(cleanup);

/**
 * A loopback port nobody listens on. Not one bound and released: a notifier of a test file
 * running beside this one could be given it (they listen on port 0) before the CLI connects.
 * Port 1 is privileged, in practice never served, and never handed out for port 0.
 */
const CLOSED_PORT = 1;

describe('mapistore-mgmt errors', () => {
  it('says how to fix an unreachable notifier, exit 1', async () => {
    const port = CLOSED_PORT;
    for (const command of [['users'], ['sources', '--json'], ['status'], ['purge', 'h/1/00'], ['watch'], ['registered-users', 'SOGo', 'x']]) {
      const result = await runCli([...command, '--http', `127.0.0.1:${port}`]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toBe(
        `mapistore-mgmt: cannot reach the notifier at http://127.0.0.1:${port} (is \`mapistore-mgmt serve\` running? set --http or MAPISTORE_MGMT_HTTP)\n`,
      );
    }
  });

  it('says when the address answers but is no notifier, exit 1', async () => {
    const other = createHttpServer((_request, response) => response.end('<html>hello</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const result = await runCli(['status', '--http', `127.0.0.1:${port}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `mapistore-mgmt: http://127.0.0.1:${port} answered, but not with JSON: is it a mapistore-mgmt notifier? (set --http or MAPISTORE_MGMT_HTTP)\n`,
      );
    } finally {
      other.close();
    }
  });

  it('serve says which address is taken and what to do, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const dir = makeTempDir();
      const http = await runCli(['serve', '--endpoint', `ipc://${dir}/n.sock`, '--state-dir', `${dir}/state`, '--http', `127.0.0.1:${port}`]);
      expect(http.code).toBe(1);
      expect(http.stderr).toContain(`cannot serve HTTP on 127.0.0.1:${port} (listen EADDRINUSE`);
      expect(http.stderr).toContain('choose another --http');
      expect(existsSync(`${dir}/n.sock`), 'the socket file left behind').toBe(false);
      const zmq = await runCli(['serve', '--endpoint', `tcp://127.0.0.1:${port}`, '--state-dir', `${dir}/state`, '--http', '127.0.0.1:0', '--insecure-plain-tcp']);
      expect(zmq.code).toBe(1);
      expect(zmq.stderr).toContain(`cannot bind tcp://127.0.0.1:${port}`);
      expect(zmq.stderr).toContain('choose another --endpoint');
    } finally {
      taken.close();
    }
  });

  it('reads the address from MAPISTORE_MGMT_HTTP', async () => {
    const port = CLOSED_PORT;
    const result = await runCli(['users'], { env: { MAPISTORE_MGMT_HTTP: `127.0.0.1:${port}` } });
    expect(result.stderr).toContain(`at http://127.0.0.1:${port} `);
  });

  it.each([
    [['users', '--bogus'], /unknown option '--bogus'/],
    [['users', '--http', 'nowhere'], /option '--http <host:port>' argument 'nowhere' is invalid\. expected HOST:PORT/],
    [['purge'], /missing required argument 'source'/],
    [['users', '--vuser', ''], /option '--vuser <name>' argument '' is invalid\. expected a non-empty name/],
    [['registered-users', 'SOGo', ''], /command-argument value '' is invalid for argument 'vuser'\. expected a non-empty name/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['serve', '--http', '127.0.0.1:70000'], /port 70000 is out of range: use 0 to 65535/],
    [['serve', '--endpoint', 'udp://x:1'], /expected ipc:\/\/ABSOLUTE-PATH or tcp:\/\/HOST:PORT/],
    [['serve', '--endpoint', 'ipc://relative.sock'], /needs an absolute path/],
    [['serve', '--heartbeat-ms', 'soon'], /'--heartbeat-ms <ms>' argument 'soon' is invalid\. expected a whole number from 10 to 3600000/],
    [['serve', '--max-frame-bytes', '65535'], /must be from 65536 to/],
    [['serve', '--lease-multiplier', '0.5'], /must be from 1 to 100/],
    [['serve', '--socket-mode', 'rwx'], /expected an octal mode such as 0750/],
    [['serve', '--log-level', 'loud'], /Allowed choices are fatal, error/],
    [['serve', '--min-lease-ms', '5000', '--max-lease-ms', '1000'], /--min-lease-ms \(5000\) is above --max-lease-ms \(1000\)/],
  ])('%j: a message saying what to fix, exit 2', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('checks values from the environment too, naming the variable', async () => {
    const result = await runCli(['serve'], { env: { MAPISTORE_MGMT_MAX_SOURCES: 'many' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("from env 'MAPISTORE_MGMT_MAX_SOURCES' is invalid");
  });

  it('explains each command with --help, exit 0', async () => {
    for (const [command, text] of [
      ['serve', 'MAPISTORE_MGMT_MAX_FRAME_BYTES'],
      ['users', 'summed over all live sender processes'],
      ['registered-users', 'distinct usernames'],
      ['sources', 'when their lease ends'],
      ['status', 'message counters'],
      ['purge', 'remove a source and all its registrations'],
      ['watch', 'follow the change stream'],
    ] as const) {
      const result = await runCli([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout.replace(/\s+/g, ' '), command).toContain(text);
    }
  });
});
