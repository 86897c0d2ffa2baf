// SPDX-License-Identifier: GPL-3.0-or-later
// Section 3: ingest. Several C processes register through the library as fast as they can;
// the same traffic goes to the real notifier (the library's batched frames, its default), to a
// bare zeromq.js PULL loop that only counts the messages in those batched frames, to the same
// bare loop and a bare libzmq PULL loop with batching off (one frame per message, as before
// batches: the ceiling a per-message receiver had). CURVE's cost is section 10's (curve.mjs).
// Rates are measured at the
// receiver, in messages, over the burst: from its first message to its last before a silence
// (the senders' goodbyes come later).
import { join } from 'node:path';
import { makeTempDir, program } from '../lib/paths.mjs';
import { Child } from '../lib/processes.mjs';
import { messagesRejected, messagesTakenIn, Notifier } from '../lib/notifier.mjs';
import { sleep } from '../lib/wait.mjs';

const SECTION = '3 ingest';
const IDLE_MS = 1500;
const BURST_GAP_MS = 200;
const POLL_MS = 100;
const BARE_JS = join(import.meta.dirname, '..', 'js', 'pull-count.mjs');

/** Starts `senders` flood processes at once (with `env`) and returns their summed results. */
async function flood(endpoint, senders, calls, env = {}) {
  const children = Array.from({ length: senders }, () => new Child(program('bench-flood'), [endpoint, String(calls)], { label: 'bench-flood', env }));
  const results = await Promise.all(children.map((child) => child.finish()));
  const sum = (key) => results.reduce((total, r) => total + r[key], 0);
  return { calls: sum('calls'), refused: sum('refused'), sent: sum('sent') };
}

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

/**
 * The real notifier; its counters are polled every POLL_MS until they stop moving for IDLE_MS.
 * The rate is that of the burst, as the bare receivers measure it: up to the first silence of
 * BURST_GAP_MS.
 */
async function notifier(senders, calls) {
  const server = new Notifier();
  await server.start();
  const base = messagesTakenIn(await server.status());
  let first;
  let burst;
  let last = { at: performance.now(), count: base };
  let polling = true;
  const poll = (async () => {
    while (polling || performance.now() - last.at < IDLE_MS) {
      const count = messagesTakenIn(await server.status());
      const at = performance.now();
      if (count !== last.count) {
        first ??= last;
        last = { at, count };
      } else if (first && !burst && at - last.at > BURST_GAP_MS) {
        burst = last; // a poll that saw no change, BURST_GAP_MS after the last one that did
      }
      await sleep(POLL_MS);
    }
  })();
  const sent = await flood(server.endpoint, senders, calls);
  polling = false;
  await poll;
  const status = await server.status();
  await server.stop();
  burst ??= last;
  const received = last.count - base;
  return { ...sent, received, rejected: messagesRejected(status), rate: first ? (burst.count - first.count) / ((burst.at - first.at) / 1000) : 0 };
}

// Receivers also count the goodbye each sender sends at exit, after it reported `sent`.
function describe(r, verb, senders) {
  const sent = r.sent + senders;
  const lost = sent - r.received;
  return `${r.calls} calls, ${r.refused} refused by the library (queue full), ${sent} sent (goodbyes included), ${r.received} ${verb}, ${lost} lost (${((100 * lost) / sent).toFixed(2)}%)`;
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
  const real = await notifier(senders, calls);
  const vs = [
    { label: 'bare zeromq.js PULL, single frames', value: js.rate },
    { label: 'bare zeromq.js PULL, batched frames', value: jsBatched.rate },
    { label: 'bare libzmq PULL, single frames', value: c.rate },
  ];
  return [
    { section: SECTION, measure: `notifier applies (${senders} senders)`, value: real.rate, unit: 'msg/s', vs, note: `${describe(real, 'taken in', senders)}, ${real.rejected} rejected` },
    { section: SECTION, measure: 'bare zeromq.js PULL loop, single frames', value: js.rate, unit: 'msg/s', note: describe(js, 'received', senders) },
    { section: SECTION, measure: 'bare zeromq.js PULL loop, batched frames (counts their messages)', value: jsBatched.rate, unit: 'msg/s', note: describe(jsBatched, 'received', senders) },
    { section: SECTION, measure: 'bare libzmq PULL loop, single frames', value: c.rate, unit: 'msg/s', note: describe(c, 'received', senders) },
  ];
}
