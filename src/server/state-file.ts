// SPDX-License-Identifier: GPL-3.0-or-later
// The notifier's embedded state store: one JSON file, replaced atomically (write a fresh temp
// file, fsync, rename, fsync the directory), so a crash leaves either the old or the new table.
// The document is written one item per line, so that neither writing nor reading it ever holds
// the whole table as one string: a save yields to the event loop between batches of lines, and
// a restore parses one line at a time.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { whyNotOwnDirectory } from './own-dir.js';
import { StartupError } from './startup-error.js';

const STATE_FILE_NAME = 'table.json';

/**
 * A save writes lines for at most this long before it lets the event loop run: as short as the
 * receive loop's slice (frame-receiver.ts), since a query that arrives meanwhile waits for it.
 */
const SAVE_SLICE_MS = 0.25;
/** ...and hands the file this many bytes at most at once. */
const SAVE_BATCH_BYTES = 1 << 20;

export function stateFilePath(stateDir: string): string {
  return join(stateDir, STATE_FILE_NAME);
}

/**
 * Creates the state directory (0700) if needed, one level at a time, and checks it is writable,
 * at start rather than at the first save. (Node's recursive mkdir loops forever on a path under
 * /proc, where mkdir answers ENOENT under an existing parent.)
 */
export function ensureStateDir(dir: string): void {
  const absolute = resolve(dir);
  const parts = absolute.split(sep).filter((part) => part !== '');
  let path = '';
  try {
    for (const part of parts) {
      path += sep + part;
      try {
        mkdirSync(path, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    accessSync(absolute, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StartupError(`cannot use the state directory ${dir} (${code}): choose another --state-dir or fix its permissions.`, 2);
  }
  // Whoever may write it could swap the state file, or its temporary file, under the notifier.
  const why = whyNotOwnDirectory(absolute);
  if (why !== undefined) throw new StartupError(`the state directory ${why}; or choose another --state-dir.`, 2);
}

/** What a state file holds: a header object whose `items` array is written and read one element at a time. */
export interface StateReader {
  header(value: unknown): void;
  item(value: unknown): void;
}

/**
 * Reads the state file written by `writeStateFile`, handing the header and then each item to
 * `reader`. Returns false when there is no file. Throws on unreadable, truncated or non-JSON content.
 * A file holding the whole document on one line (as earlier versions wrote it) reads the same.
 */
export async function readStateFile(path: string, itemsKey: string, reader: StateReader): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    let state: 'header' | 'items' | 'end' = 'header';
    for await (const line of file.readLines({ encoding: 'utf8' })) {
      if (state === 'header') {
        if (line.endsWith('[')) {
          reader.header(JSON.parse(`${line}]}`));
          state = 'items';
        } else {
          readWhole(JSON.parse(line), itemsKey, reader);
          state = 'end';
        }
      } else if (state === 'items') {
        if (line === ']}') state = 'end';
        else reader.item(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
      } else if (line !== '') {
        throw new SyntaxError(`${path}: text after the end of the document`);
      }
    }
    if (state !== 'end') throw new SyntaxError(`${path}: the document ends early`);
    return true;
  } finally {
    await file.close();
  }
}

function readWhole(document: unknown, itemsKey: string, reader: StateReader): void {
  const items = (document as Record<string, unknown> | null)?.[itemsKey];
  if (!Array.isArray(items)) throw new SyntaxError(`the state document has no "${itemsKey}" array`);
  reader.header({ ...(document as object), [itemsKey]: [] });
  for (const item of items) reader.item(item);
}

// O_EXCL: the temp file is always a new file, never an existing one or a planted symlink.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Atomically replaces the file at `path` with `{...header, [itemsKey]: [...items]}` as JSON, one
 * item per line. Each item is its JSON text in pieces (no newline in them); pieces are taken
 * from the iterators as the write reaches them, and the event loop runs between batches. A
 * failed write leaves no temp file behind and the old file in place.
 */
export async function writeStateFile(path: string, header: object, itemsKey: string, items: Iterable<Iterable<string>>): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temp, CREATE_NEW, 0o600);
    try {
      await writeLines(file, documentLines(header, itemsKey, items));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // The rename is durable once the directory entry is.
  const dir = await open(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function* documentLines(header: object, itemsKey: string, items: Iterable<Iterable<string>>): Generator<string> {
  const head = JSON.stringify({ ...header, [itemsKey]: [] });
  yield head.slice(0, -2); // `{...,"items":[`
  let separator = '\n';
  for (const item of items) {
    yield separator;
    yield* item;
    separator = ',\n';
  }
  yield '\n]}\n';
}

/** Writes the lines in batches, letting the event loop run between them. */
async function writeLines(file: Awaited<ReturnType<typeof open>>, lines: Iterator<string>): Promise<void> {
  for (;;) {
    const batch: string[] = [];
    let bytes = 0;
    const sliceEnd = performance.now() + SAVE_SLICE_MS;
    let next = lines.next();
    while (!next.done) {
      batch.push(next.value);
      bytes += next.value.length;
      if (bytes >= SAVE_BATCH_BYTES || performance.now() >= sliceEnd) break;
      next = lines.next();
    }
    // writeFile, unlike write, goes on after a short write (a disk filling up): a save either
    // writes every byte or fails.
    if (batch.length > 0) await file.writeFile(batch.join(''));
    if (next.done) return;
    // The write's own completion may come before timers; give them their turn too.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Removes the temp files of saves that a crash interrupted (call with the directory locked). */
export function removeInterruptedSaves(path: string): void {
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(path), name), { force: true });
  }
}

/** Moves a corrupt state file aside (`table.json.corrupt-<time>`) and returns the new path. */
export function moveAside(path: string, now = new Date()): string {
  const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}
