// SPDX-License-Identifier: GPL-3.0-or-later
// Keeps the table on disk: restored at start, saved periodically while it changes and once
// more at shutdown. A file that cannot be read back is moved aside, never fatal; its checks
// (state-schema.ts, TypeBox's compiler) load only when there is a file to read. A save never
// holds the event loop for long (state-file.ts writes it in slices) and never fails silently:
// each outcome is reported to the metrics, and `failing` feeds /readyz.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { RegistrationTable } from '../table/table.js';
import type { TableOptions } from '../table/types.js';
import { moveAside, readStateFile, writeStateFile } from './state-file.js';

const SOURCES = 'sources';

/** The table saved at `path`, or an empty one when there is none or it is unusable. */
export async function restoreTable(path: string, options: TableOptions, log: Logger): Promise<RegistrationTable> {
  let table = new RegistrationTable(options);
  try {
    // About a third of an empty start: only a start with a file to check pays for it.
    const checks = existsSync(path) ? await import('../table/state-schema.js') : undefined;
    let index = 0;
    const found =
      checks !== undefined &&
      (await readStateFile(path, SOURCES, {
        header: (value) => void checks.checkSavedTableHeader(value, 'state'),
        item: (value) => table.restoreSaved(checks.checkSavedSource(value, `state.sources[${index++}]`)),
      }));
    if (!found) {
      log.info({ path }, 'no saved state, starting with an empty table');
      return table;
    }
    log.info({ path, sources: table.sourceCount, registrations: table.registrationCount }, 'restored the saved table');
  } catch (error) {
    setAside(path, error, log);
    table = new RegistrationTable(options);
  }
  return table;
}

function setAside(path: string, error: unknown, log: Logger): void {
  try {
    const aside = moveAside(path);
    log.error({ path, movedTo: aside, err: error }, 'the saved state cannot be restored (err says why: unreadable, or over a limit now lower than when it was saved); moved it aside and started with an empty table');
  } catch (moveError) {
    log.error({ path, err: error, moveError }, 'the saved state cannot be restored (err says why) and could not be moved aside; starting with an empty table');
  }
}

/** Where each save's outcome goes (the metrics). */
export interface SaveOutcomes {
  /** A save that took `durationSeconds` ended at `endedAt` (performance.now()). */
  saved(durationSeconds: number, endedAt: number): void;
  failed(): void;
}

/**
 * A periodic save waits at least this many times the last save's length after it: a big table
 * that changes all the time (heartbeats move leases) is then saved at most a fifth of the time,
 * not back to back.
 */
const SAVE_SPACING_FACTOR = 4;

export class TableSaver {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private lastFailed = false;
  /** performance.now() before which no periodic save starts. */
  private nextSaveAt = 0;

  constructor(
    private readonly path: string,
    private readonly table: RegistrationTable,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly outcomes: SaveOutcomes,
  ) {}

  markDirty(): void {
    this.dirty = true;
  }

  /** True while the last save failed (until one succeeds). */
  get failing(): boolean {
    return this.lastFailed;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.dirty && this.running === undefined && performance.now() >= this.nextSaveAt) void this.save();
    }, this.intervalMs);
  }

  /**
   * Writes the table now (after a save in progress, if any); a failure is logged, counted and
   * retried on the next tick. Resolves to success.
   */
  async save(): Promise<boolean> {
    while (this.running !== undefined) await this.running;
    this.running = this.write().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the periodic saves and makes the final one; resolves to its success. */
  async stop(): Promise<boolean> {
    clearInterval(this.timer);
    return this.save();
  }

  private async write(): Promise<boolean> {
    this.dirty = false;
    const started = performance.now();
    try {
      await writeStateFile(this.path, this.table.stateHeader(), SOURCES, this.table.savedSourcesJson());
      const ended = performance.now();
      this.nextSaveAt = ended + SAVE_SPACING_FACTOR * (ended - started);
      this.outcomes.saved((ended - started) / 1000, ended);
      if (this.lastFailed) this.log.info({ path: this.path }, 'saved the table again');
      this.lastFailed = false;
      return true;
    } catch (error) {
      this.dirty = true;
      this.outcomes.failed();
      // Once per run of failures: a full disk would otherwise log every interval.
      if (!this.lastFailed) this.log.error({ path: this.path, err: error }, 'could not save the table; retrying every interval');
      this.lastFailed = true;
      return false;
    }
  }
}
