// SPDX-License-Identifier: GPL-3.0-or-later
// Logs at most one line per key (a rejection reason) per interval; the next line that gets
// through says how many were suppressed, so a flood of bad frames cannot flood the log.
import type { Logger } from 'pino';

interface KeyState {
  lastLoggedAt: number;
  suppressed: number;
}

export class RateLimitedLog {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const state = this.keys.get(key);
    if (state && now - state.lastLoggedAt < this.intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.keys.set(key, { lastLoggedAt: now, suppressed: 0 });
    this.log.warn({ ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }
}
