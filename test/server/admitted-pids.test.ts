// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { AdmittedPids } from '../../src/server/admitted-pids.js';

describe('admitted pids', () => {
  it('drop the pids of exited processes once the set has doubled, and keep the live ones', () => {
    const live = new Set([1, 2, 3]);
    const looked: number[] = [];
    const pids = new AdmittedPids((pid) => {
      looked.push(pid);
      return live.has(pid);
    });
    for (let pid = 1; pid <= 1024; pid++) pids.admit(pid);
    expect(looked).toEqual([]);
    expect(pids.size).toBe(1024);
    // The one being admitted is a peer connecting now: it stays.
    pids.admit(5000);
    expect(looked).toHaveLength(1024);
    expect([1, 2, 3, 4, 1024, 5000].map((pid) => pids.has(pid))).toEqual([true, true, true, false, false, true]);
    expect(pids.size).toBe(4);
  });

  it('knows this process as existing, and a pid above any pid_max as not', () => {
    const pids = new AdmittedPids();
    pids.admit(process.pid);
    for (let pid = 0x7fff_f000; pid < 0x7fff_f000 + 1023; pid++) pids.admit(pid);
    pids.admit(0x7fff_fffe);
    expect(pids.has(process.pid)).toBe(true);
    expect(pids.size).toBe(2);
  });
});
