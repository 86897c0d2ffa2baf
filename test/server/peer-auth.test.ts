// ipc peers restricted by uid/gid through ZAP: real C senders run as root and as nobody
// (setpriv) against a real notifier.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, runCli, runProcess, SEND_TOOL } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

afterAll(cleanup);

const NOBODY = 65534;
const asNobody = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

/** An endpoint whose directory nobody's group (65534) may enter, in a parent anyone may cross. */
function sharedEndpoint(): string {
  const base = makeTempDir();
  chmodSync(base, 0o755);
  return `ipc://${join(base, 'sock', 'notify.sock')}`;
}

function send(endpoint: string, user: string, asUser: string[] = []) {
  return runProcess(asUser[0] ?? SEND_TOOL, [...asUser.slice(1), ...(asUser.length > 0 ? [SEND_TOOL] : []), '--endpoint', endpoint, 'register', user, 'SOGo', user]);
}

describe('ipc peers allowed by uid or group', () => {
  it('admits an allowed uid, refuses and counts another, which changes nothing', async () => {
    const notifier = await startNotifier({ endpoint: sharedEndpoint(), args: ['--ipc-allow-users', 'root', '--socket-group', String(NOBODY)] });
    const refused = await send(notifier.endpoint, 'intruder', asNobody);
    expect(refused.code, refused.stderr).toBe(0);
    await notifier.waitFor('the refusal counted', async (n) =>
      (await n.metrics()).includes(`mapistore_mgmt_peer_refusals_total{reason="peer-not-allowed",peer="uid:${NOBODY}"} 1`),
    );
    // The sender says goodbye as it exits: what arrived shows in the message counters.
    expect((await send(notifier.endpoint, 'jdoe')).code).toBe(0);
    await notifier.waitFor("root's goodbye", async (n) => (await n.status()).counters.messages.goodbye?.applied === 1);
    expect((await notifier.status()).counters.messages.register).toEqual({ applied: 1 });
    expect(notifier.logs().some((line) => line.msg === 'refused a connection to the message socket' && line.peer === `uid:${NOBODY}`)).toBe(true);
    await notifier.stop();
  });

  it('admits a peer by its primary group', async () => {
    const notifier = await startNotifier({ endpoint: sharedEndpoint(), args: ['--ipc-allow-groups', String(NOBODY), '--socket-group', String(NOBODY)] });
    expect((await send(notifier.endpoint, 'ann', asNobody)).code).toBe(0);
    await notifier.waitFor("nobody's register", async (n) => (await n.status()).counters.messages.register?.applied === 1);
    expect(await notifier.metrics()).not.toContain('mapistore_mgmt_peer_refusals_total{');
    await notifier.stop();
  });

  it('is refused for a tcp endpoint, and for an unknown user name (exit 2)', async () => {
    const dir = makeTempDir();
    const tcp = await runCli(['serve', '--endpoint', 'tcp://127.0.0.1:0', '--state-dir', join(dir, 's'), '--ipc-allow-users', '0']);
    expect(tcp.code).toBe(2);
    expect(tcp.stderr).toContain('need an ipc:// --endpoint');
    const unknown = await runCli(['serve', '--state-dir', join(dir, 's'), '--ipc-allow-users', 'no-such-user-mm']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('user "no-such-user-mm" does not exist');
  });
});
