// SPDX-License-Identifier: GPL-3.0-or-later
// Counts received messages by kind and result in plain numbers, and hands the counts to the
// prom-client counter only when it is read (GET /metrics, GET /v1/status): Counter.inc()
// hashes and validates its labels on every call, a cost paid per message otherwise.
import type { Counter } from 'prom-client';

interface Cell {
  labels: { kind: string; result: string };
  /** Counted since the last hand-over. */
  pending: number;
}

export class MessageCounts {
  private readonly byKind = new Map<string, Map<string, Cell>>();
  /** Cells in order of first use: handed over in it, the counter lists them as inc() would have. */
  private readonly cells: Cell[] = [];

  /** Counts `n` messages of `kind` with `result`. */
  add(kind: string, result: string, n: number): void {
    let byResult = this.byKind.get(kind);
    if (byResult === undefined) this.byKind.set(kind, (byResult = new Map()));
    let cell = byResult.get(result);
    if (cell === undefined) {
      cell = { labels: { kind, result }, pending: 0 };
      byResult.set(result, cell);
      this.cells.push(cell);
    }
    cell.pending += n;
  }

  /** Adds to `counter` what was counted since the last call. */
  handOver(counter: Counter<'kind' | 'result'>): void {
    for (const cell of this.cells) {
      if (cell.pending === 0) continue;
      counter.inc(cell.labels, cell.pending);
      cell.pending = 0;
    }
  }
}
