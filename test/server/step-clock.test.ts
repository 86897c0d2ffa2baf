// SPDX-License-Identifier: GPL-3.0-or-later
// The table's clock in the notifier: one reading of the time per step of the receive loop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StepClock } from '../../src/server/step-clock.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('StepClock', () => {
  it('gives the time read when a step began throughout the step, and the live time outside steps', () => {
    const times = [1000, 2000, 3000, 4000];
    vi.spyOn(Date, 'now').mockImplementation(() => times.shift() as number);
    const clock = new StepClock();
    expect(clock.now()).toBe(1000);
    const inside: number[] = [];
    clock.during(() => {
      inside.push(clock.now(), clock.now(), clock.now());
    });
    expect(inside).toEqual([2000, 2000, 2000]);
    expect(clock.now()).toBe(3000);
  });

  it('goes back to the live time when a step throws', () => {
    const clock = new StepClock();
    vi.spyOn(Date, 'now').mockReturnValueOnce(5).mockReturnValue(6);
    expect(() =>
      clock.during(() => {
        throw new Error('step failed');
      }),
    ).toThrow('step failed');
    expect(clock.now()).toBe(6);
  });
});
