// SPDX-License-Identifier: GPL-3.0-or-later
// A counter whose total is an exact integer however large (a bigint), for totals fed by u64
// values from the wire: one sequence jump near 2^64 must not turn it into a float that then
// ignores +1. prom-client keeps numbers, so these counters render their own exposition lines.

export class ExactCounter {
  private total = 0n;

  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  add(amount: bigint): void {
    if (amount < 0n) throw new RangeError(`${this.name} only goes up, not by ${amount}`);
    this.total += amount;
  }

  get value(): bigint {
    return this.total;
  }

  /** The counter in the Prometheus text format, the value written out in full. */
  exposition(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n${this.name} ${this.total}\n`;
  }
}
