// SPDX-License-Identifier: GPL-3.0-or-later
// The test helpers' waits: bounded, and cut short when the awaited thing cannot happen.
import { describe, expect, it } from 'vitest';
import { cleanup, spawnProcess } from './processes.js';
import { GiveUp, waitFor } from './wait.js';

describe('waitFor', () => {
  it('retries through errors until the probe returns a value', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return calls;
    }, { intervalMs: 1 });
    expect(value).toBe(3);
  });

  it('stops at once on GiveUp, and names what it waited for on a timeout', async () => {
    let calls = 0;
    await expect(waitFor('never', () => {
      calls++;
      throw new GiveUp('cannot happen');
    })).rejects.toThrow('cannot happen');
    expect(calls).toBe(1);
    await expect(waitFor('never', () => false, { timeoutMs: 20, intervalMs: 1 })).rejects.toThrow('timed out waiting for never (last seen: false)');
  });

  it('waitForOutput fails as soon as the process exits without printing the pattern', async () => {
    const proc = spawnProcess(process.execPath, ['-e', 'console.log("bye")'], { label: 'short-lived' });
    await expect(proc.waitForOutput(/never printed/, 60_000)).rejects.toThrow(/short-lived exited \{"code":0,"signal":null\}/);
    await cleanup();
  });
});
