// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers around the C tool mapistore-mgmt-send for the end-to-end tests.
import type { TestProcess } from './processes.js';

/** The source key (`host/pid/epoch`) a sender printed on its first line. */
export async function senderKey(sender: TestProcess): Promise<string> {
  const match = await sender.waitForOutput(/^source host=(\S+) pid=(\d+) epoch=([0-9a-f]{16})$/m);
  return `${match[1]}/${match[2]}/${match[3]}`;
}

/** Waits until the sender has printed "holding" `times` times (it holds again after each SIGTERM step). */
export async function waitForHolding(sender: TestProcess, times = 1): Promise<void> {
  await sender.waitForOutput(new RegExp(`(?:^holding$[\\s\\S]*){${times}}`, 'm'));
}
