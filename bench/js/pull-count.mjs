// SPDX-License-Identifier: GPL-3.0-or-later
// A bare zeromq.js PULL loop: the most a Node receiver can drain (no decoding, no table).
//
//   node bench/js/pull-count.mjs [--batched] ENDPOINT IDLE_MS
//
// Binds, prints {"bound":true}, counts messages with `await socket.receive()` (as the notifier's
// receive loop does) and, once IDLE_MS pass without a message after the first one, prints the
// count, the bytes and the rate of the burst: from the first message to the last one before a
// silence of 200 ms (as bench-pull-sink). With --batched it counts the protocol messages in each
// frame (a batch frame's count, else 1) instead of ZeroMQ messages: the same loop, over the
// library's batched frames.
import { Pull } from 'zeromq';

const args = process.argv.slice(2);
const batched = args[0] === '--batched';
const [endpoint, idleArg] = batched ? args.slice(1) : args;
/** Kind 5, a batch: its u16 count follows the header, whose host length is at byte 22. */
const messagesIn = (frame) => (batched && frame[1] === 5 ? frame.readUInt16LE(23 + frame[22]) : 1);
const idleMs = Number(idleArg ?? 1000);
const socket = new Pull({ linger: 0 });
await socket.bind(endpoint);
console.log(JSON.stringify({ bound: true }));

let received = 0;
let bytes = 0;
let first = 0n;
/** Messages in the first frame: the rate counts those after it, over the time since. */
let firstCount = 1;
let last = 0n;
let burst = 0;
let burstEnd = 0n;
const BURST_GAP_NS = 200_000_000n;

const watchdog = setInterval(() => {
  if (received > 0 && Number(process.hrtime.bigint() - last) / 1e6 > idleMs) {
    clearInterval(watchdog);
    if (burst === 0) [burst, burstEnd] = [received, last];
    const seconds = Number(burstEnd - first) / 1e9;
    console.log(JSON.stringify({ received, bytes, burst, seconds, rate: seconds > 0 ? (burst - firstCount) / seconds : 0 }));
    socket.close();
  }
}, 100);

try {
  for (;;) {
    const [frame] = await socket.receive();
    const now = process.hrtime.bigint();
    if (received === 0) [first, firstCount] = [now, messagesIn(frame)];
    else if (burst === 0 && now - last > BURST_GAP_NS) [burst, burstEnd] = [received, last];
    last = now;
    received += messagesIn(frame);
    bytes += frame.length;
  }
} catch (error) {
  if (!socket.closed) throw error;
}
