// SPDX-License-Identifier: GPL-3.0-or-later
// MAPISTORE_ERR_MSG_SEND from JavaScript: a Node child registers towards an endpoint nobody
// binds until the library's queue is full. The call then returns false instead of throwing:
// the registration is recorded all the same, the drop is counted, the child still exits, and
// a notifier started later learns every registration from the child's heartbeats.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, runProcess, spawnProcess } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

const FLOOD = fileURLToPath(new URL('./fixtures/flood.mjs', import.meta.url));

interface Flooded {
  calls: number;
  queued: boolean;
  messagesDropped: number;
  registrationsHeld: number;
  triplesHeld: number;
  lastError: number;
}

afterEach(cleanup);

function tempEndpoint(): string {
  return `ipc://${join(makeTempDir('mm-addon-flood-'), 'notify.sock')}`;
}

it('a full queue makes registerUser return false, with the registration recorded', async () => {
  const result = await runProcess(process.execPath, [FLOOD, tempEndpoint()], { label: 'flood' });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const seen = JSON.parse(result.stdout) as Flooded;
  expect(seen.queued).toBe(false);
  expect(seen.lastError).toBe(19);
  expect(seen.messagesDropped).toBe(1);
  expect(seen.registrationsHeld).toBe(seen.calls);
  expect(seen.triplesHeld).toBe(1);
});

it('the registration whose message was dropped reaches a later notifier by heartbeat', async () => {
  const endpoint = tempEndpoint();
  const flood = spawnProcess(process.execPath, [FLOOD, endpoint, '--hold'], { label: 'flood --hold' });
  const [line] = await flood.waitForOutput(/^\{.*\}$/m);
  const seen = JSON.parse(line) as Flooded;
  expect(seen.queued).toBe(false);
  const notifier = await startNotifier({ endpoint });
  await notifier.waitForUsers([{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: seen.calls }]);
  const [source] = await notifier.sources();
  expect(source).toMatchObject({ pid: flood.pid, registrations: seen.calls });
  await notifier.waitFor('the drop to be reported', async (n) => (await n.sources())[0]?.droppedReported === '1');
});
