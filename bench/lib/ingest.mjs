// SPDX-License-Identifier: GPL-3.0-or-later
// Ingest through the real notifier: C processes (`bench-flood`) call the library as fast as it
// takes them, and the notifier's message counters are polled until they stop moving. The rate
// is the burst's, from the first change seen to the last before a silence (the senders'
// goodbyes come later and are counted, not timed). Sections 3 and 10 measure this way.
import { Child } from './processes.mjs';
import { messagesRejected, messagesTakenIn, Notifier } from './notifier.mjs';
import { program } from './paths.mjs';
import { sleep } from './wait.mjs';

/** How long a receiver waits in silence before it reports. */
export const IDLE_MS = 1500;
const BURST_GAP_MS = 200;
const POLL_MS = 100;

/** Starts `senders` flood processes at once (with `env`) and returns their summed results. */
export async function flood(endpoint, senders, calls, env = {}) {
  const children = Array.from({ length: senders }, () => new Child(program('bench-flood'), [endpoint, String(calls)], { label: 'bench-flood', env }));
  const results = await Promise.all(children.map((child) => child.finish()));
  const sum = (key) => results.reduce((total, r) => total + r[key], 0);
  return { calls: sum('calls'), refused: sum('refused'), sent: sum('sent') };
}

/** A fresh notifier (`args`) fed by `senders` x `calls` (senders given `env`): what it took in, and its burst rate. */
export async function notifierIngest(senders, calls, { args = [], env = {} } = {}) {
  const server = new Notifier({ args });
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
  const sent = await flood(server.endpoint, senders, calls, env);
  polling = false;
  await poll;
  const status = await server.status();
  await server.stop();
  burst ??= last;
  const received = last.count - base;
  return { ...sent, received, rejected: messagesRejected(status), rate: first ? (burst.count - first.count) / ((burst.at - first.at) / 1000) : 0 };
}

/**
 * The note of a run: calls, refusals, messages sent (with the goodbye each sender sends at
 * exit, after it reported `sent`), received (`verb`), lost, and rejected when the receiver says.
 */
export function describeIngest(r, senders, verb = 'taken in') {
  const sent = r.sent + senders;
  const lost = sent - r.received;
  const rejected = r.rejected === undefined ? '' : `, ${r.rejected} rejected`;
  return `${r.calls} calls, ${r.refused} refused by the library (queue full), ${sent} sent (goodbyes included), ${r.received} ${verb}, ${lost} lost (${((100 * lost) / sent).toFixed(2)}%)${rejected}`;
}
