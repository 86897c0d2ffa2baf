// SPDX-License-Identifier: GPL-3.0-or-later
// Sequence numbers are u64 and gaps exact bigints end to end (docs/protocol.md), but nearly
// every one a sender uses is below 2^53. There the decoder gives them and the table keeps and
// subtracts them as plain numbers, which allocate nothing; a BigInt (five a message before) is
// made only above 2^53 or for a gap that is not 0.
import type { Seq } from '../protocol/types.js';

/**
 * `seq - last - 1`, exactly: the numbers between the last one heard and `seq` that never came
 * (negative when `seq` is not past `last`). A number when both are below 2^53.
 */
export function missedBetween(last: Seq, seq: Seq): number | bigint {
  if (typeof last === 'number' && typeof seq === 'number') return seq - last - 1;
  return BigInt(seq) - BigInt(last) - 1n;
}
