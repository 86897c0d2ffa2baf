// Senders report a running total of the messages they could not queue; the metric counts
// the increases, so each source's last reported total is remembered while it lives.
export class SenderDrops {
  private readonly lastTotal = new Map<string, bigint>();

  /** Records a source's reported total and returns how much it grew since the last report. */
  report(source: string, total: bigint): number {
    const before = this.lastTotal.get(source) ?? 0n;
    this.lastTotal.set(source, total);
    return total > before ? Number(total - before) : 0;
  }

  forget(source: string): void {
    this.lastTotal.delete(source);
  }
}
