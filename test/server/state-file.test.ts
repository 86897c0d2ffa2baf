// SPDX-License-Identifier: GPL-3.0-or-later
// The state file's atomic replacement and line-at-a-time reading, on a real filesystem.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStateFile, writeStateFile } from '../../src/server/state-file.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

afterAll(removeTempDirs);

async function read(path: string): Promise<{ found: boolean; header?: unknown; items: unknown[] }> {
  const items: unknown[] = [];
  let header: unknown;
  const found = await readStateFile(path, 'items', { header: (value) => (header = value), item: (value) => items.push(value) });
  return { found, header, items };
}

/** Items as JSON texts in one piece each. */
const json = (values: unknown[]): string[][] => values.map((value) => [JSON.stringify(value)]);

describe('writeStateFile', () => {
  it('replaces the file whole, one item per line, and leaves nothing else in the directory', async () => {
    const dir = makeTempDir();
    const path = join(dir, 'table.json');
    await writeStateFile(path, { n: 1 }, 'items', json([{ a: 1 }]));
    await writeStateFile(path, { n: 2 }, 'items', [['{"a":', '2}'], ...json([{ b: 'x\ny' }, 3])]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ n: 2, items: [{ a: 2 }, { b: 'x\ny' }, 3] });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(6); // header, 3 items, end, final newline
    expect(await read(path)).toEqual({ found: true, header: { n: 2, items: [] }, items: [{ a: 2 }, { b: 'x\ny' }, 3] });
    expect(readdirSync(dir)).toEqual(['table.json']);
  });

  it('writes and reads back an empty list', async () => {
    const path = join(makeTempDir(), 'table.json');
    await writeStateFile(path, { n: 0 }, 'items', []);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ n: 0, items: [] });
    expect(await read(path)).toEqual({ found: true, header: { n: 0, items: [] }, items: [] });
  });

  it('takes each piece from the iterators only as the write reaches it, letting timers run between batches', async () => {
    const path = join(makeTempDir(), 'table.json');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const seenTicks: number[] = [];
    function* items() {
      for (let i = 0; i < 400; i++) {
        seenTicks.push(ticks);
        // Each item takes about a millisecond to produce, as a big source would.
        const until = performance.now() + 1;
        while (performance.now() < until);
        yield [JSON.stringify({ i })];
      }
    }
    await writeStateFile(path, {}, 'items', items());
    clearInterval(timer);
    expect((await read(path)).items).toHaveLength(400);
    // Timers ran while the items were produced, not only before or after.
    expect(seenTicks.at(-1)).toBeGreaterThan(seenTicks[0] ?? 0);
  });

  it('removes its temporary file when the write fails, and throws', async () => {
    const dir = makeTempDir();
    // A non-empty directory where the file should be: the final rename fails.
    const path = join(dir, 'table.json');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), '');
    await expect(writeStateFile(path, {}, 'items', json([1]))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['table.json']);
  });

  it('replaces a symlink at the final name instead of writing through it', async () => {
    const dir = makeTempDir();
    const elsewhere = join(makeTempDir(), 'target');
    writeFileSync(elsewhere, 'untouched');
    symlinkSync(elsewhere, join(dir, 'table.json'));
    await writeStateFile(join(dir, 'table.json'), {}, 'items', json([1]));
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched');
    expect(JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8'))).toEqual({ items: [1] });
  });
});

describe('readStateFile', () => {
  it('reads nothing when there is no file, and throws on one that is not JSON or ends early', async () => {
    const dir = makeTempDir();
    const path = join(dir, 'table.json');
    expect((await read(path)).found).toBe(false);
    writeFileSync(path, '{"cut');
    await expect(read(path)).rejects.toThrow(SyntaxError);
    writeFileSync(path, '{"n":1,"items":[\n{"a":1},\n');
    await expect(read(path)).rejects.toThrow(/ends early/);
    writeFileSync(path, '{"n":1,"items":[\n]}\nmore');
    await expect(read(path)).rejects.toThrow(/after the end/);
  });

  it('reads a whole document written on one line', async () => {
    const path = join(makeTempDir(), 'table.json');
    writeFileSync(path, JSON.stringify({ n: 1, items: [{ a: 1 }, 2] }));
    expect(await read(path)).toEqual({ found: true, header: { n: 1, items: [] }, items: [{ a: 1 }, 2] });
  });
});
