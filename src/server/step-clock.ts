// SPDX-License-Identifier: GPL-3.0-or-later
// The table's clock in the notifier: Date.now(), except while the receive loop applies one step
// of a frame's messages, which all take the time read when the step began. They are applied
// within microseconds of each other, well inside the millisecond Date.now() counts in, and a
// call to Date.now() costs about a tenth of what applying a message does.

export class StepClock {
  private fixed: number | undefined;

  /** The time in ms: the step's while one runs, else Date.now(). */
  readonly now = (): number => this.fixed ?? Date.now();

  /** Runs `step` with the time read once, at its start. */
  during(step: () => void): void {
    this.fixed = Date.now();
    try {
      step();
    } finally {
      this.fixed = undefined;
    }
  }
}
