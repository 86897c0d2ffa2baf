// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { CATCH_UP_MS, ExpiryJudge } from '../../src/server/expiry.js';

const TICK_MS = 100;

function judge(start = 1_000_000) {
  const clock = { now: start, caughtUpAt: start, receivingMs: 0 };
  const expiry = new ExpiryJudge(TICK_MS, { now: () => clock.now, caughtUpAt: () => clock.caughtUpAt, receivingMs: () => clock.receivingMs });
  return { clock, expiry };
}

describe('the expiry cut-off', () => {
  it('follows the receive loop while it keeps up', () => {
    const { clock, expiry } = judge();
    clock.now += TICK_MS;
    clock.caughtUpAt = clock.now - 3;
    expect(expiry.tick()).toBe(clock.now - 3);
  });

  it('trails the clock by at most CATCH_UP_MS while frames keep waiting (busy, never starved)', () => {
    const { clock, expiry } = judge();
    const caughtUp = clock.caughtUpAt;
    for (let i = 0; i < 100; i++) {
      clock.now += TICK_MS;
      expect(expiry.tick()).toBe(Math.max(caughtUp, clock.now - CATCH_UP_MS));
    }
    expect(expiry.tick()).toBeGreaterThan(caughtUp + 8_000);
  });

  it('takes a tick made late by the receive loop\'s own work for a busy loop, not a stall', () => {
    const { clock, expiry } = judge();
    clock.caughtUpAt -= 5_000; // frames have been waiting since
    clock.now += 700; // one big frame held the event loop
    clock.receivingMs += 650;
    expect(expiry.tick()).toBe(clock.now - CATCH_UP_MS);
  });

  it('expires nobody after a late tick (a stall) until the receive loop had CATCH_UP_MS to read', () => {
    const { clock, expiry } = judge();
    clock.now += 10_000; // stopped: nothing ran, not even the receive loop
    expect(expiry.tick()).toBeUndefined();
    const resumed = clock.now;
    while (clock.now + TICK_MS - resumed < CATCH_UP_MS) {
      clock.now += TICK_MS;
      clock.caughtUpAt = clock.now;
      expect(expiry.tick()).toBeUndefined();
    }
    clock.now += TICK_MS;
    expect(expiry.tick()).toBe(clock.caughtUpAt);
  });
});
