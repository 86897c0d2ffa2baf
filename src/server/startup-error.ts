// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The notifier cannot start; the message says what to fix. `exitCode` is what `serve` exits
 * with: 2 when the configuration must change, 1 when something outside it is in the way.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
