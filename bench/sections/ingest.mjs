// SPDX-License-Identifier: GPL-3.0-or-later
// Section 3: ingest. Several C processes register through the library as fast as they can;
// the same traffic goes to the real notifier (the library's batched frames, its default), to a
// bare zeromq.js PULL loop that only counts the messages in those batched frames, to the same
// bare loop and a bare libzmq PULL loop with batching off (one frame per message, as before
// batches: the ceiling a per-message receiver had). CURVE's cost is section 10's (curve.mjs).
// Rates are measured at the receiver, in messages, over the burst: from its first message to
// its last before a silence (the senders' goodbyes come later).
import { join } from 'node:path';
import { describeIngest, flood, IDLE_MS, notifierIngest } from '../lib/ingest.mjs';
import { makeTempDir, program } from '../lib/paths.mjs';
import { Child } from '../lib/processes.mjs';

const SECTION = '3 ingest';
const BARE_JS = join(import.meta.dirname, '..', 'js', 'pull-count.mjs');

/** One frame per message: the library's option for a notifier that predates batches. */
const SINGLE_FRAMES = { MAPISTORE_MGMT_BATCHING: '0' };

/** A bare receiver (C or zeromq.js) that prints its count and rate after IDLE_MS of silence. */
async function bare(label, command, args, endpoint, senders, calls, env = {}) {
  const receiver = new Child(command, [...args, endpoint, String(IDLE_MS)], { label });
  await receiver.waitForOutput(/"bound":true/);
  const sent = await flood(endpoint, senders, calls, env);
  const got = await receiver.finish(60_000);
  return { ...sent, received: got.received, rate: got.rate };
}

export async function run({ quick, log }) {
  const senders = quick ? 2 : 4;
  const calls = quick ? 20_000 : 200_000;
  const endpoint = () => `ipc://${join(makeTempDir(), 'ingest.sock')}`;
  log(`  bare libzmq PULL, single frames, ${senders} x ${calls}`);
  const c = await bare('bench-pull-sink', program('bench-pull-sink'), ['count'], endpoint(), senders, calls, SINGLE_FRAMES);
  log(`  bare zeromq.js PULL, single frames`);
  const js = await bare('pull-count.mjs', process.execPath, [BARE_JS], endpoint(), senders, calls, SINGLE_FRAMES);
  log(`  bare zeromq.js PULL, batched frames`);
  const jsBatched = await bare('pull-count.mjs --batched', process.execPath, [BARE_JS, '--batched'], endpoint(), senders, calls);
  log(`  notifier`);
  const real = await notifierIngest(senders, calls);
  const vs = [
    { label: 'bare zeromq.js PULL, single frames', value: js.rate },
    { label: 'bare zeromq.js PULL, batched frames', value: jsBatched.rate },
    { label: 'bare libzmq PULL, single frames', value: c.rate },
  ];
  return [
    { section: SECTION, measure: `notifier applies (${senders} senders)`, value: real.rate, unit: 'msg/s', vs, note: describeIngest(real, senders) },
    { section: SECTION, measure: 'bare zeromq.js PULL loop, single frames', value: js.rate, unit: 'msg/s', note: describeIngest(js, senders, 'received') },
    { section: SECTION, measure: 'bare zeromq.js PULL loop, batched frames (counts their messages)', value: jsBatched.rate, unit: 'msg/s', note: describeIngest(jsBatched, senders, 'received') },
    { section: SECTION, measure: 'bare libzmq PULL loop, single frames', value: c.rate, unit: 'msg/s', note: describeIngest(c, senders, 'received') },
  ];
}
