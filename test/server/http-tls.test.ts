// SPDX-License-Identifier: GPL-3.0-or-later
// Optional HTTPS for the HTTP API, with a real self-signed certificate (openssl).
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, cleanup, runCli, spawnProcess } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

afterAll(cleanup);

/** A certificate for localhost and 127.0.0.1, and its key (0600). */
function selfSigned(): { cert: string; key: string } {
  const dir = makeTempDir();
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { cert, key };
}

function httpsStatus(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

function serveArgs(...extra: string[]): string[] {
  const dir = makeTempDir();
  return ['serve', '--endpoint', `ipc://${join(dir, 'n.sock')}`, '--state-dir', join(dir, 'state'), '--http', '127.0.0.1:0', ...extra];
}

describe('HTTPS', () => {
  it('serves the API over TLS from key and certificate files, and the CLI queries it', async () => {
    const { cert, key } = selfSigned();
    const notifier = spawnProcess(process.execPath, [CLI_ENTRY, ...serveArgs('--http-tls-cert-file', cert, '--http-tls-key-file', key)], { label: 'notifier' });
    const [, url = ''] = await notifier.waitForOutput(/"httpUrl":"(https:\/\/127\.0\.0\.1:\d+)"/);
    expect(await httpsStatus(`${url}/healthz`, readFileSync(cert))).toBe(200);
    const status = await runCli(['status', '--json', '--http', url], { env: { NODE_EXTRA_CA_CERTS: cert } });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ ready: true });
    await notifier.stop();
  });

  it('refuses a key file others may read, and a certificate without its key (exit 2)', async () => {
    const { cert, key } = selfSigned();
    chmodSync(key, 0o644);
    const open = await runCli(serveArgs('--http-tls-cert-file', cert, '--http-tls-key-file', key));
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(`the TLS key file ${key} is open to other users (mode 644)`);
    const alone = await runCli(serveArgs('--http-tls-cert-file', cert));
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--http-tls-cert-file and --http-tls-key-file go together');
  });
});
