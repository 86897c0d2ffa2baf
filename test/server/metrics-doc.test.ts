// SPDX-License-Identifier: GPL-3.0-or-later
// docs/operations.md's metrics table against what /metrics of a running notifier exposes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, REPO_ROOT } from '../support/processes.js';

afterAll(cleanup);

it('lists every mapistore_mgmt metric of /metrics with its type, and no other', async () => {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const documented = [...text.matchAll(/^\| `(mapistore_mgmt_[a-z_]+)(?:\{[a-z,]+\})?` \| ([a-z]+) \|/gm)].map(([, name, type]) => `${name} ${type}`);
  // With a peer check on, which adds peer_refusals_total.
  const notifier = await startNotifier({ args: ['--ipc-allow-users', String(process.getuid?.() ?? 0)] });
  const exposed = [...(await notifier.metrics()).matchAll(/^# TYPE (mapistore_mgmt_[a-z_]+) ([a-z]+)$/gm)].map(([, name, type]) => `${name} ${type}`);
  expect(exposed.length).toBeGreaterThan(20);
  expect(documented.sort()).toEqual(exposed.sort());
});
