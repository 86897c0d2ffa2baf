// SPDX-License-Identifier: GPL-3.0-or-later
// Bounded polling: tests wait for conditions, never for fixed times.

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Time between probes (default 25 ms). */
  intervalMs?: number;
}

/** Thrown by a probe to stop waiting at once: the condition can no longer come true. */
export class GiveUp extends Error {}

/**
 * Calls `probe` until it returns something other than `undefined`, `null` or `false`, and
 * returns that value. Probe errors count as "not yet" (a server still starting, say), except
 * GiveUp, which ends the wait. Throws, naming `what` and the last value or error seen, when
 * `timeoutMs` passes first.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const intervalMs = options.intervalMs ?? 25;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${what} (last seen: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
