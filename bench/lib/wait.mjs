// SPDX-License-Identifier: GPL-3.0-or-later
// Polling and sleeping helpers.
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `probe` every `everyMs` until it returns a truthy value, which is returned; throws after `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs = 30_000, everyMs = 20 } = {}) {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > giveUp) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
