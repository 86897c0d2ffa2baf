// SPDX-License-Identifier: GPL-3.0-or-later
// ipc peers restricted by uid/gid through ZAP: real C senders run as root and as nobody
// (setpriv) against a real notifier.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, runCli, SEND_TOOL, spawnProcess } from '../support/processes.js';
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

/** A sender that registers `user` and holds it (a goodbye at exit may be lost on ipc). */
function hold(endpoint: string, user: string, asUser: string[] = []) {
  return spawnProcess(asUser[0] ?? SEND_TOOL, [...asUser.slice(1), ...(asUser.length > 0 ? [SEND_TOOL] : []), '--endpoint', endpoint, 'register', user, 'SOGo', user, 'hold']);
}

describe('ipc peers allowed by uid or group', () => {
  it('admits an allowed uid, refuses and counts another, which changes nothing', async () => {
    const notifier = await startNotifier({ endpoint: sharedEndpoint(), args: ['--ipc-allow-users', 'root', '--socket-group', String(NOBODY)] });
    // It holds, so that its connection is surely attempted (one that exits at once may not be).
    const intruder = hold(notifier.endpoint, 'intruder', asNobody);
    await notifier.waitFor('the refusal counted', async (n) =>
      (await n.metrics()).includes(`mapistore_mgmt_peer_refusals_total{reason="peer-not-allowed",peer="uid:${NOBODY}"} 1`),
    );
    await intruder.stop();
    const root = hold(notifier.endpoint, 'jdoe');
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }]);
    expect((await notifier.status()).counters.messages.register).toEqual({ applied: 1 });
    await root.stop();
    expect(notifier.logs().some((line) => line.msg === 'refused a connection to the message socket' && line.peer === `uid:${NOBODY}`)).toBe(true);
    await notifier.stop();
  });

  it('admits a peer by its primary group', async () => {
    const notifier = await startNotifier({ endpoint: sharedEndpoint(), args: ['--ipc-allow-groups', String(NOBODY), '--socket-group', String(NOBODY)] });
    const nobody = hold(notifier.endpoint, 'ann', asNobody);
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'ann', vuser: 'ann', count: 1 }]);
    await nobody.stop();
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
