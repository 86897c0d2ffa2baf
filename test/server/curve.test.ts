// SPDX-License-Identifier: GPL-3.0-or-later
// tcp with CURVE, fail closed: real C senders (mapistore-mgmt-send) and real zeromq.js peers
// against a real notifier whose allow-list admits one client key.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli, runProcess, SEND_TOOL, spawnSender } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { makeTempDir } from '../support/temp.js';

afterAll(async () => {
  closePushSockets();
  await cleanup();
});

const keys = makeTempDir();
const allowDir = join(keys, 'allowed');

/** `mapistore-mgmt keygen` into the keys directory; returns the key pair's text. */
async function keygen(name: string, dir = keys): Promise<{ key: string; pub: string; secret: string; public: string }> {
  const base = join(dir, name);
  const result = await runCli(['keygen', base]);
  expect(result.code, result.stderr).toBe(0);
  return { key: `${base}.key`, pub: `${base}.pub`, secret: readFileSync(`${base}.key`, 'utf8').trim(), public: readFileSync(`${base}.pub`, 'utf8').trim() };
}

function curveEnv(serverPub: string, clientKey: string): NodeJS.ProcessEnv {
  return { MAPISTORE_MGMT_CURVE_SERVER_KEY_FILE: serverPub, MAPISTORE_MGMT_CURVE_SECRET_KEY_FILE: clientKey };
}

function refusals(metrics: string, reason: string, peer: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`mapistore_mgmt_peer_refusals_total{reason="${reason}",peer="${peer}"}`));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('tcp with CURVE', () => {
  let notifier: RunningNotifier;
  let server: Awaited<ReturnType<typeof keygen>>;
  let client: Awaited<ReturnType<typeof keygen>>;
  let stranger: Awaited<ReturnType<typeof keygen>>;

  beforeAll(async () => {
    mkdirSync(allowDir);
    server = await keygen('server');
    client = await keygen('backend-1', allowDir);
    stranger = await keygen('stranger');
    notifier = await startNotifier({
      endpoint: 'tcp://127.0.0.1:0',
      heartbeatMs: 60_000,
      args: ['--curve-secret-key-file', server.key, '--curve-allow', allowDir],
    });
  });

  it('keygen writes the secret key 0600 and the public key beside it', () => {
    expect(statSync(server.key).mode & 0o777).toBe(0o600);
    expect([server.secret.length, server.public.length]).toEqual([40, 40]);
  });

  it("admits an allowed key's registrations (a C sender)", async () => {
    const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, env: curveEnv(server.pub, client.key) });
    await sender.waitForOutput(/^holding$/m);
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
    await sender.stop();
    await notifier.waitForUsers([]);
  });

  it('admits a zeromq.js peer with an allowed key', async () => {
    const push = connectPush(notifier.endpoint, { curveServerKey: server.public, curvePublicKey: client.public, curveSecretKey: client.secret });
    await new FakeSource(push, 'js.example.org', 7).register('SOGo', 'ann', 'ann');
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'ann', vuser: 'ann', count: 1 }]);
  });

  it('refuses an unlisted key, a plain client and a wrong server key: counted, and nothing changes', async () => {
    const before = await notifier.users();
    // Senders hold, so that their connection is surely attempted (one that exits at once may not be).
    const unlisted = spawnSender(['register mallory SOGo x', 'hold'], { endpoint: notifier.endpoint, env: curveEnv(server.pub, stranger.key) });
    await notifier.waitFor('the unlisted key counted', async (n) => refusals(await n.metrics(), 'key-not-allowed', 'unlisted') >= 1);
    await unlisted.stop();

    const plain = connectPush(notifier.endpoint);
    await new FakeSource(plain, 'plain.example.org', 8).register('SOGo', 'mallory', 'x');
    // The notifier sees the mismatch, or only the hang-up when the client saw it first.
    await notifier.waitFor('the plain client counted', async (n) => {
      const metrics = await n.metrics();
      return refusals(metrics, 'mechanism-mismatch', 'unknown') + refusals(metrics, 'handshake-failed', 'unknown') >= 1;
    });

    const wrongServer = connectPush(notifier.endpoint, { curveServerKey: stranger.public, curvePublicKey: client.public, curveSecretKey: client.secret });
    await new FakeSource(wrongServer, 'wrong.example.org', 9).register('SOGo', 'mallory', 'x');
    await notifier.waitFor('the wrong server key counted', async (n) => refusals(await n.metrics(), 'cryptographic-error', 'unknown') >= 1);

    expect(await notifier.users()).toEqual(before);
    expect((await notifier.sources()).map((s) => s.host)).not.toContain('plain.example.org');
    expect(notifier.logs().some((line) => line.msg === 'refused a connection to the message socket' && line.reason === 'key-not-allowed')).toBe(true);
  });

  it('the library never sends with a secret key file others may read: it says so, and holds', async () => {
    const leaked = await keygen('leaked', makeTempDir());
    chmodSync(leaked.key, 0o644);
    const result = await runProcess(SEND_TOOL, ['--endpoint', notifier.endpoint, 'register', 'leak', 'SOGo', 'x', 'stats'], { env: curveEnv(server.pub, leaked.key) });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the CURVE key files (MAPISTORE_MGMT_CURVE_SERVER_KEY_FILE, MAPISTORE_MGMT_CURVE_SECRET_KEY_FILE) cannot be used');
    expect(result.stderr).toContain('MAPISTORE_ERR_DENIED');
    const garbage = await runProcess(SEND_TOOL, ['--endpoint', notifier.endpoint, 'register', 'leak', 'SOGo', 'x'], { env: curveEnv(client.key, join(keys, 'missing.key')) });
    expect(garbage.stderr).toContain('MAPISTORE_ERR_NOT_FOUND');
  });
});

describe('tcp fails closed', () => {
  function serve(...args: string[]) {
    return runCli(['serve', '--state-dir', join(makeTempDir(), 's'), '--http', '127.0.0.1:0', ...args]);
  }

  it('refuses tcp without CURVE, plain tcp beyond loopback, a key without an allow-list, and a key file others may read (exit 2)', async () => {
    const noKey = await serve('--endpoint', 'tcp://127.0.0.1:0');
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('a tcp endpoint needs CURVE');
    const exposed = await serve('--endpoint', 'tcp://0.0.0.0:0', '--insecure-plain-tcp');
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('--insecure-plain-tcp is for loopback only');
    const server = await keygen('lonely', makeTempDir());
    const noList = await serve('--endpoint', 'tcp://127.0.0.1:0', '--curve-secret-key-file', server.key);
    expect(noList.code).toBe(2);
    expect(noList.stderr).toContain('--curve-secret-key-file and --curve-allow go together');
    chmodSync(server.key, 0o604);
    const open = await serve('--endpoint', 'tcp://127.0.0.1:0', '--curve-secret-key-file', server.key, '--curve-allow', server.pub);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('is open to other users (mode 604)');
  });

  it('takes a switch variable saying false as off, and refuses one that is neither on nor off (exit 2)', async () => {
    const off = await runCli(['serve', '--state-dir', join(makeTempDir(), 's'), '--http', '127.0.0.1:0', '--endpoint', 'tcp://127.0.0.1:0'], {
      env: { ...process.env, MAPISTORE_MGMT_INSECURE_PLAIN_TCP: 'false' },
    });
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('a tcp endpoint needs CURVE');
    const offFlag = await serve('--endpoint', 'tcp://127.0.0.1:0', '--insecure-plain-tcp', 'off');
    expect(offFlag.stderr).toContain('a tcp endpoint needs CURVE');
    const unclear = await runCli(['serve', '--state-dir', join(makeTempDir(), 's'), '--http', '127.0.0.1:0'], {
      env: { ...process.env, MAPISTORE_MGMT_IPC_CHECK_PIDS: 'maybe' },
    });
    expect(unclear.code).toBe(2);
    expect(unclear.stderr).toContain("value 'maybe' from env 'MAPISTORE_MGMT_IPC_CHECK_PIDS' is invalid. expected on or off");
  });
});

describe('the CURVE allow-list', () => {
  it('reads LABEL KEY lines with comments, and refuses a bad line or an empty list (exit 2)', async () => {
    const dir = makeTempDir();
    const server = await keygen('server', dir);
    const client = await keygen('client', dir);
    const list = join(dir, 'allow.txt');
    writeFileSync(list, `# backends\nbackend-2 ${client.public}  # the second\n\n`);
    const notifier = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--curve-secret-key-file', server.key, '--curve-allow', list] });
    const sender = spawnSender(['register bob SOGo bob', 'hold'], { endpoint: notifier.endpoint, env: curveEnv(server.pub, client.key) });
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'bob', vuser: 'bob', count: 1 }]);
    await sender.stop();
    await notifier.stop();
    for (const [text, message] of [
      [`backend-2 ${client.public.slice(1)}\n`, 'line 1: expected a label'],
      ['# nothing\n', 'lists no key'],
    ]) {
      writeFileSync(list, text ?? '');
      const result = await runCli(['serve', '--endpoint', 'tcp://127.0.0.1:0', '--state-dir', join(dir, 's'), '--curve-secret-key-file', server.key, '--curve-allow', list]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});

describe('the CURVE allow-list on SIGHUP', () => {
  it('lets in a key added to the list once the client reconnects; a broken list keeps the previous one', async () => {
    const dir = makeTempDir();
    const allowed = join(dir, 'allowed');
    mkdirSync(allowed);
    const server = await keygen('server', dir);
    await keygen('backend-1', allowed);
    const late = await keygen('backend-2', dir);
    const notifier = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--curve-secret-key-file', server.key, '--curve-allow', allowed] });
    const refused = spawnSender(['register late SOGo late', 'hold'], { endpoint: notifier.endpoint, env: curveEnv(server.pub, late.key) });
    await notifier.waitFor('backend-2 refused', async (n) => refusals(await n.metrics(), 'key-not-allowed', 'unlisted') === 1);
    await refused.stop();

    writeFileSync(join(allowed, 'backend-2.pub'), `${late.public}\n`);
    notifier.process.signal('SIGHUP');
    await notifier.waitFor('the list read again', (n) => n.logs().find((line) => line.msg === 'SIGHUP: read the CURVE allow-list again'));
    expect(notifier.logs().find((line) => line.msg === 'SIGHUP: read the CURVE allow-list again')).toMatchObject({ keys: 2, labels: ['backend-1', 'backend-2'] });
    const sender = spawnSender(['register late SOGo late', 'hold'], { endpoint: notifier.endpoint, env: curveEnv(server.pub, late.key) });
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'late', vuser: 'late', count: 1 }]);
    await sender.stop();

    writeFileSync(join(allowed, 'broken.pub'), 'not a key\n');
    notifier.process.signal('SIGHUP');
    await notifier.waitFor('the broken list refused', (n) => n.logs().find((line) => line.msg === 'SIGHUP: the CURVE allow-list is unusable; the previous one stays'));
    const again = spawnSender(['register late SOGo again', 'hold'], { endpoint: notifier.endpoint, env: curveEnv(server.pub, late.key) });
    await notifier.waitFor('backend-2 still admitted', async (n) => (await n.users()).some((u) => u.vuser === 'again'));
    await again.stop();
    await notifier.stop();
  });
});
