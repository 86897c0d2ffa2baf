// MAPISTORE_ERR_MSG_SEND from JavaScript: a Node child registers towards an endpoint nobody
// binds until the library's queue is full. The call then returns false instead of throwing,
// the registration is recorded all the same, the drop is counted, and the child still exits.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { cleanup, runProcess } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

const FLOOD = fileURLToPath(new URL('./fixtures/flood.mjs', import.meta.url));

afterAll(cleanup);

it('a full queue makes registerUser return false, with the registration recorded', async () => {
  const endpoint = `ipc://${join(makeTempDir('mm-addon-flood-'), 'nobody.sock')}`;
  const result = await runProcess(process.execPath, [FLOOD, endpoint], { label: 'flood' });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const seen = JSON.parse(result.stdout) as Record<string, unknown>;
  expect(seen.queued).toBe(false);
  expect(seen.lastError).toBe(19);
  expect(seen.messagesDropped).toBe(1);
  expect(seen.registrationsHeld).toBe(seen.calls);
  expect(seen.triplesHeld).toBe(1);
});
