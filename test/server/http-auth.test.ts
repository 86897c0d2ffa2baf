// SPDX-License-Identifier: GPL-3.0-or-later
// Who may use the HTTP API: the bearer token, the Host check, 405, and the refusal to listen
// beyond loopback without a token, against real notifier processes.
import { request } from 'node:http';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { makeTempDir, makeTokenFile } from '../support/temp.js';

afterAll(async () => {
  closePushSockets();
  await cleanup();
});

/** A GET with a Host header of our choosing (fetch does not let one set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

function serveArgs(...extra: string[]): string[] {
  const dir = makeTempDir();
  return ['serve', '--endpoint', `ipc://${join(dir, 'notify.sock')}`, '--state-dir', join(dir, 'state'), ...extra];
}

describe('the HTTP API with a token', () => {
  let notifier: RunningNotifier;
  let source: FakeSource;
  const { path: tokenFile, token } = makeTokenFile();

  beforeAll(async () => {
    notifier = await startNotifier({ heartbeatMs: 60_000, args: ['--http-token-file', tokenFile, '--http-allowed-hosts', 'notifier.example.org'] });
    source = new FakeSource(connectPush(notifier.endpoint), 'alpha.example.org', 100);
    await source.register('SOGo', 'jdoe', 'jdoe');
    await notifier.waitFor('the source', async (n) => (await n.sources()).length === 1);
  });

  it('refuses a purge without the token or with a wrong one (401), and changes nothing', async () => {
    const url = `${notifier.httpUrl}/v1/sources/${source.key}`;
    const missing = await fetch(url, { method: 'DELETE' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mapistore-mgmt"');
    const wrong = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token.slice(1)}x` } });
    expect(wrong.status).toBe(401);
    expect((await notifier.sources()).map((s) => s.key)).toEqual([source.key]);
    expect(await notifier.metrics()).toContain('mapistore_mgmt_http_refusals_total{reason="unauthorized"} 2');
  });

  it('serves reads without the token (scope writes)', async () => {
    expect((await fetch(`${notifier.httpUrl}/v1/users`)).status).toBe(200);
  });

  it('refuses a Host that is not a literal address, localhost or an allowed name (DNS rebinding)', async () => {
    const url = `${notifier.httpUrl}/v1/users`;
    const port = new URL(url).port;
    const rebound = await getWithHost(url, `attacker.example.com:${port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'forbidden-host' });
    expect(await notifier.metrics()).toContain('mapistore_mgmt_http_refusals_total{reason="forbidden-host"} 1');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `Notifier.example.org:${port}`]) {
      expect((await getWithHost(url, host)).status, host).toBe(200);
    }
  });

  it('answers 405 with Allow for a known path asked with another method, 404 for an unknown path', async () => {
    const post = await fetch(`${notifier.httpUrl}/v1/users`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const put = await fetch(`${notifier.httpUrl}/v1/sources/${source.key}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE');
    expect((await fetch(`${notifier.httpUrl}/v2/users`)).status).toBe(404);
  });
});

describe('the HTTP API without a token', () => {
  it('refuses every change (403) and serves reads', async () => {
    const notifier = await startNotifier();
    const purge = await fetch(`${notifier.httpUrl}/v1/sources/h/1/0123456789abcdef`, { method: 'DELETE' });
    expect(purge.status).toBe(403);
    expect(JSON.parse(await purge.text())).toMatchObject({ error: 'no-token-configured' });
    expect((await fetch(`${notifier.httpUrl}/v1/sources`)).status).toBe(200);
    await notifier.stop();
  });
});

describe('--http-auth all', () => {
  it('asks the token for reads and metrics, not for the health probes', async () => {
    const { path, token } = makeTokenFile();
    const notifier = await startNotifier({ args: ['--http-token-file', path, '--http-auth', 'all'] });
    expect((await fetch(`${notifier.httpUrl}/v1/users`)).status).toBe(401);
    expect((await fetch(`${notifier.httpUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${notifier.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${notifier.httpUrl}/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const cli = await runCli(['users', '--json', '--http', notifier.httpUrl, '--http-token-file', path]);
    expect(cli).toMatchObject({ code: 0, stdout: '[]\n' });
    await notifier.stop();
  });
});

describe('serve refuses an exposed or unusable configuration (exit 2)', () => {
  it('refuses an HTTP address beyond loopback without a token', async () => {
    const result = await runCli(serveArgs('--http', '0.0.0.0:0'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--http 0.0.0.0 listens beyond loopback without a token: give --http-token-file');
  });

  it('refuses --http-auth all without a token, and a token file others may read', async () => {
    const all = await runCli(serveArgs('--http-auth', 'all'));
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('--http-auth all needs a token');
    const { path } = makeTokenFile();
    chmodSync(path, 0o644);
    const open = await runCli(serveArgs('--http-token-file', path));
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(`the token file ${path} is open to other users (mode 644)`);
    const short = join(makeTempDir(), 'short');
    writeFileSync(short, 'abc\n', { mode: 0o600 });
    const tooShort = await runCli(serveArgs('--http-token-file', short));
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('must hold one token of 16 to 4096 printable ASCII characters');
  });

  it('with a token, listens on the wildcard and names it in the ready line', async () => {
    const { path } = makeTokenFile();
    const notifier = await startNotifier({ args: ['--http-token-file', path, '--http', '0.0.0.0:0'] });
    expect(notifier.httpUrl).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    await notifier.stop();
  });
});
