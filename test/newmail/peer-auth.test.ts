// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail PUB socket under the same peer check by uid as the message socket
// (--ipc-allow-users): an allowed subscriber receives, one run as nobody (setpriv) is refused.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotificationSubscriber, metricValue, postNewmail, waitForSubscriptions } from '../support/newmail.js';
import { startNotifier } from '../support/notifier.js';
import { cleanup, spawnProcess, spawnSender } from '../support/processes.js';
import { waitForHolding } from '../support/senders.js';
import { makeTempDir, makeTokenFile } from '../support/temp.js';

afterAll(cleanup);

const NOBODY = 65534;

describe('the PUB socket with --ipc-allow-users', () => {
  it('admits an allowed subscriber, refuses and counts another', async () => {
    const base = makeTempDir();
    chmodSync(base, 0o755); // nobody may cross it; the socket directory's group decides the rest
    const { path: tokenFile, token } = makeTokenFile();
    const notifier = await startNotifier({
      endpoint: `ipc://${join(base, 'sock', 'notify.sock')}`,
      publish: `ipc://${join(base, 'sock', 'newmail.sock')}`,
      args: ['--ipc-allow-users', 'root', '--socket-group', String(NOBODY), '--http-token-file', tokenFile],
    });
    const sender = spawnSender(['register jdoe SOGo jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 200 });
    await waitForHolding(sender);
    await notifier.waitFor('jdoe registered', async (n) => (await n.users()).length === 1);

    const intruder = spawnProcess('setpriv', [
      `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e',
      "const s = new (require('zeromq').Subscriber)(); s.connect(process.argv[1]); s.subscribe(); setInterval(() => {}, 1000);",
      notifier.publish,
    ], { label: 'subscriber as nobody' });
    await notifier.waitFor('the refusal counted', async (n) => (await metricValue(n, 'mapistore_mgmt_peer_refusals_total', { reason: 'peer-not-allowed', peer: `uid:${NOBODY}` })) >= 1);

    const root = new NotificationSubscriber(notifier.publish);
    root.subscribe('jdoe');
    await waitForSubscriptions(notifier, 1);
    expect((await postNewmail(notifier, token, { backend: 'SOGo', vuser: 'jdoe', folder: 'INBOX', messageId: 1 })).status).toBe(200);
    const [received] = await root.waitForCount(1);
    expect(received?.notification.username).toBe('jdoe');
    // The refused subscriber's subscription never reached the notifier.
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_subscriptions')).toBe(1);
    intruder.signal('SIGKILL');
    await root.close();
  });
});
