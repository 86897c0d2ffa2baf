// SPDX-License-Identifier: GPL-3.0-or-later
// The pids of the ipc peers the ZAP handler admitted (the kernel's SO_PEERCRED, per connection),
// for --ipc-check-pids: a message claiming any other pid is refused (unadmitted-pid), so a
// sender can claim only its own pid or that of another connected sender, and
// --max-sources-per-pid then bounds the sources it can make. Pids of processes that have
// exited are dropped whenever the set has doubled since the last look, so it stays about the
// size of the live peers.
const PRUNE_FLOOR = 1024;

/** Whether a process of that pid exists (EPERM: it does, and belongs to another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class AdmittedPids {
  private readonly pids = new Set<number>();
  private pruneAt = PRUNE_FLOOR;

  constructor(private readonly exists: (pid: number) => boolean = processExists) {}

  admit(pid: number): void {
    if (this.pids.size >= this.pruneAt) {
      for (const known of this.pids) if (!this.exists(known)) this.pids.delete(known);
      this.pruneAt = Math.max(PRUNE_FLOOR, 2 * (this.pids.size + 1));
    }
    this.pids.add(pid);
  }

  has(pid: number): boolean {
    return this.pids.has(pid);
  }

  get size(): number {
    return this.pids.size;
  }
}
