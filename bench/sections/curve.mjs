// SPDX-License-Identifier: GPL-3.0-or-later
// Section 10: ingest with CURVE. The same C senders flood the real notifier over the same kind
// of ipc socket, once in clear and once with CURVE on (`--curve-secret-key-file` and
// `--curve-allow` from `mapistore-mgmt keygen`; the senders get the keys through
// MAPISTORE_MGMT_CURVE_*_KEY_FILE), alternating ROUNDS times so that a change in the machine's
// load falls on both alike; each row is the median of its runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeIngest, notifierIngest } from '../lib/ingest.mjs';
import { CLI, makeTempDir } from '../lib/paths.mjs';
import { percentile } from '../lib/stats.mjs';

const SECTION = '10 CURVE ingest';

/** A server keypair and one client keypair (allowed), and what notifier and senders are given. */
function curveSetup() {
  const dir = makeTempDir('mm-bench-keys-');
  const allowed = join(dir, 'allowed');
  execFileSync(process.execPath, [CLI, 'keygen', join(dir, 'server')]);
  mkdirSync(allowed);
  execFileSync(process.execPath, [CLI, 'keygen', join(allowed, 'bench')]);
  return {
    args: ['--curve-secret-key-file', join(dir, 'server.key'), '--curve-allow', allowed],
    env: { MAPISTORE_MGMT_CURVE_SERVER_KEY_FILE: join(dir, 'server.pub'), MAPISTORE_MGMT_CURVE_SECRET_KEY_FILE: join(allowed, 'bench.key') },
  };
}

export async function run({ quick, log }) {
  const senders = quick ? 2 : 4;
  const calls = quick ? 20_000 : 200_000;
  const rounds = quick ? 1 : 3;
  const curve = curveSetup();
  const plainRuns = [];
  const curveRuns = [];
  for (let round = 1; round <= rounds; round++) {
    log(`  round ${round}/${rounds}: ${senders} x ${calls} in clear, then with CURVE`);
    plainRuns.push(await notifierIngest(senders, calls));
    curveRuns.push(await notifierIngest(senders, calls, curve));
  }
  const plain = percentile(plainRuns.map((r) => r.rate), 50);
  const withCurve = percentile(curveRuns.map((r) => r.rate), 50);
  const runs = (list) => list.map((r) => Math.round(r.rate)).join(', ');
  return [
    {
      section: SECTION,
      measure: `notifier applies, CURVE on (${senders} senders)`,
      value: withCurve,
      unit: 'msg/s',
      vs: [{ label: 'the same in clear', value: plain }],
      note: `median of ${rounds} (${runs(curveRuns)} msg/s); last run: ${describeIngest(curveRuns.at(-1), senders)}`,
    },
    {
      section: SECTION,
      measure: `notifier applies, in clear (${senders} senders)`,
      value: plain,
      unit: 'msg/s',
      note: `median of ${rounds} (${runs(plainRuns)} msg/s); last run: ${describeIngest(plainRuns.at(-1), senders)}`,
    },
  ];
}
