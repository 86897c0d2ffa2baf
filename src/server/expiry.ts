// Expires silent sources on a timer. A tick that comes late means the notifier itself stood
// still (a paused process, a slow disk under a save): what senders sent meanwhile still waits
// unread in the socket, so that tick expires nobody and the receive loop reads first.
import type { RegistrationTable } from '../table/table.js';
import type { SourceRow } from '../table/types.js';

/**
 * Checks leases often enough that a source goes soon after its lease ends (the shortest lease
 * is `minLeaseMs`), handing the expired sources to `expired`. Returns a stop function.
 */
export function startExpiry(table: RegistrationTable, minLeaseMs: number, expired: (sources: SourceRow[]) => void): () => void {
  const tickMs = Math.min(1_000, Math.max(50, Math.floor(minLeaseMs / 4)));
  let lastTick = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const late = now - lastTick > 2 * tickMs;
    lastTick = now;
    if (late) return;
    const sources = table.expire();
    if (sources.length > 0) expired(sources);
  }, tickMs);
  return () => clearInterval(timer);
}
