// SPDX-License-Identifier: GPL-3.0-or-later
// How many live sources claim each pid, for --max-sources-per-pid. Only meaningful where the
// claimed pid is checked against the peers the transport admitted (ipc, --ipc-check-pids):
// a genuine process is one source at a time, or a few while a restarted library's old source
// waits for its lease.
export class PidCounts {
  private readonly counts = new Map<number, number>();

  get(pid: number): number {
    return this.counts.get(pid) ?? 0;
  }

  add(pid: number): void {
    this.counts.set(pid, this.get(pid) + 1);
  }

  delete(pid: number): void {
    const left = this.get(pid) - 1;
    if (left > 0) this.counts.set(pid, left);
    else this.counts.delete(pid);
  }
}
