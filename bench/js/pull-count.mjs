// SPDX-License-Identifier: GPL-3.0-or-later
// A bare zeromq.js PULL loop: the most a Node receiver can drain (no decoding, no table).
//
//   node bench/js/pull-count.mjs ENDPOINT IDLE_MS
//
// Binds, prints {"bound":true}, counts messages with `await socket.receive()` (as the notifier's
// receive loop does) and, once IDLE_MS pass without a message after the first one, prints the
// count, the bytes and the rate of the burst: from the first message to the last one before a
// silence of 200 ms (as bench-pull-sink).
import { Pull } from 'zeromq';

const [endpoint, idleArg] = process.argv.slice(2);
const idleMs = Number(idleArg ?? 1000);
const socket = new Pull({ linger: 0 });
await socket.bind(endpoint);
console.log(JSON.stringify({ bound: true }));

let received = 0;
let bytes = 0;
let first = 0n;
let last = 0n;
let burst = 0;
let burstEnd = 0n;
const BURST_GAP_NS = 200_000_000n;

const watchdog = setInterval(() => {
  if (received > 0 && Number(process.hrtime.bigint() - last) / 1e6 > idleMs) {
    clearInterval(watchdog);
    if (burst === 0) [burst, burstEnd] = [received, last];
    const seconds = Number(burstEnd - first) / 1e9;
    console.log(JSON.stringify({ received, bytes, burst, seconds, rate: seconds > 0 ? (burst - 1) / seconds : 0 }));
    socket.close();
  }
}, 100);

try {
  for (;;) {
    const [frame] = await socket.receive();
    const now = process.hrtime.bigint();
    if (received === 0) first = now;
    else if (burst === 0 && now - last > BURST_GAP_NS) [burst, burstEnd] = [received, last];
    last = now;
    received += 1;
    bytes += frame.length;
  }
} catch (error) {
  if (!socket.closed) throw error;
}
