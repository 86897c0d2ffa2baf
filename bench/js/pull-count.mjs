// A bare zeromq.js PULL loop: the most a Node receiver can drain (no decoding, no table).
//
//   node bench/js/pull-count.mjs ENDPOINT IDLE_MS
//
// Binds, prints {"bound":true}, counts messages with `await socket.receive()` (as the notifier's
// receive loop does) and, once IDLE_MS pass without a message after the first one, prints the
// count, the bytes and the rate between the first and the last message (as bench-pull-sink).
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

const watchdog = setInterval(() => {
  if (received > 0 && Number(process.hrtime.bigint() - last) / 1e6 > idleMs) {
    clearInterval(watchdog);
    const seconds = Number(last - first) / 1e9;
    console.log(JSON.stringify({ received, bytes, seconds, rate: seconds > 0 ? (received - 1) / seconds : 0 }));
    socket.close();
  }
}, 100);

try {
  for (;;) {
    const [frame] = await socket.receive();
    last = process.hrtime.bigint();
    if (received++ === 0) first = last;
    bytes += frame.length;
  }
} catch (error) {
  if (!socket.closed) throw error;
}
