// Keeps the table on disk: restored at start, saved periodically while it changes and once
// more at shutdown. A file that cannot be read back is moved aside, never fatal.
import type { Logger } from 'pino';
import { RegistrationTable } from '../table/table.js';
import type { TableOptions } from '../table/types.js';
import { moveAside, readStateFile, writeStateFile } from './state-file.js';

/** The table saved at `path`, or an empty one when there is none or it is unusable. */
export function restoreTable(path: string, options: TableOptions, log: Logger): RegistrationTable {
  try {
    const state = readStateFile(path);
    if (state === undefined) {
      log.info({ path }, 'no saved state, starting with an empty table');
      return new RegistrationTable(options);
    }
    const table = RegistrationTable.fromState(state, options);
    log.info({ path, sources: table.sourceCount, registrations: table.registrationCount }, 'restored the saved table');
    return table;
  } catch (error) {
    setAside(path, error, log);
    return new RegistrationTable(options);
  }
}

function setAside(path: string, error: unknown, log: Logger): void {
  try {
    const aside = moveAside(path);
    log.error({ path, movedTo: aside, err: error }, 'the saved state is unreadable; moved it aside and started with an empty table');
  } catch (moveError) {
    log.error({ path, err: error, moveError }, 'the saved state is unreadable and could not be moved aside; starting with an empty table');
  }
}

export class TableSaver {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly table: RegistrationTable,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  markDirty(): void {
    this.dirty = true;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.dirty) this.save();
    }, this.intervalMs);
  }

  /** Writes the table now; a failure is logged and retried on the next tick. Returns success. */
  save(): boolean {
    this.dirty = false;
    try {
      writeStateFile(this.path, this.table.toState());
      return true;
    } catch (error) {
      this.dirty = true;
      this.log.error({ path: this.path, err: error }, 'could not save the table');
      return false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
