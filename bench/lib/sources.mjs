// SPDX-License-Identifier: GPL-3.0-or-later
// Simulated sender processes: `count` sources (distinct pid and epoch on one fake host), each
// holding `triples` registrations, that speak the wire protocol through one zeromq.js PUSH
// socket. Each heartbeat is a snapshot of the source's whole set, exactly what the library
// sends; this stands in for thousands of real processes the machine could not run at once.
import { randomBytes } from 'node:crypto';
import { Push } from 'zeromq';
import { encodeHeartbeat } from './frames.mjs';

export class SimulatedSources {
  /** `intervalMs` is announced in every heartbeat (the notifier derives the lease from it). */
  constructor({ endpoint, count, triples, intervalMs, host = 'bench-sim.example.org' }) {
    Object.assign(this, { endpoint, count, triples, intervalMs });
    this.sources = Array.from({ length: count }, (_, i) => ({
      host,
      pid: 100_000 + i,
      epoch: randomBytes(8).readBigUInt64LE(),
      seq: 0,
    }));
    this.push = new Push({ sendHighWaterMark: 10_000, linger: 0 });
    this.push.connect(endpoint);
    this.timer = undefined;
    this.next = 0;
    this.busy = false;
  }

  /** What the notifier should hold once every source has been heard. */
  get expected() {
    return { sources: this.count, registrations: this.count * this.triples };
  }

  entries(index) {
    return Array.from({ length: this.triples }, (_, k) => {
      const name = `sim${index}-${k}`;
      return { backend: 'SOGo', username: name, vuser: name, count: 1 };
    });
  }

  heartbeat(index) {
    const source = this.sources[index];
    source.seq += 1;
    return encodeHeartbeat(source, source.seq, this.intervalMs, this.entries(index));
  }

  /** Bytes of one round of heartbeats (one from every source). */
  heartbeatBytes() {
    let total = 0;
    for (let i = 0; i < this.count; i++) total += encodeHeartbeat(this.sources[i], 1, this.intervalMs, this.entries(i)).length;
    return total;
  }

  async send(index) {
    await this.push.send(this.heartbeat(index));
  }

  /** One heartbeat from every source, as fast as the socket takes them. */
  async sendAll() {
    for (let i = 0; i < this.count; i++) await this.send(i);
  }

  /** Heartbeats every source once per `periodMs`, spread evenly over the period, until `stop()`. */
  start(periodMs) {
    const started = Date.now();
    let sent = 0;
    this.timer = setInterval(async () => {
      if (this.busy) return;
      this.busy = true;
      const due = Math.floor(((Date.now() - started) * this.count) / periodMs);
      try {
        for (; sent < due && this.timer; sent++) {
          await this.send(this.next);
          this.next = (this.next + 1) % this.count;
        }
      } catch (error) {
        if (this.timer) throw error; // a send cut short by close() is expected
      }
      this.busy = false;
    }, 10);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close() {
    this.stop();
    this.push.close();
  }
}
