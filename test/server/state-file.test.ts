// The state file's atomic replacement, on a real filesystem.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStateFile, writeStateFile } from '../../src/server/state-file.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

afterAll(removeTempDirs);

describe('writeStateFile', () => {
  it('replaces the file whole and leaves nothing else in the directory', () => {
    const dir = makeTempDir();
    const path = join(dir, 'table.json');
    writeStateFile(path, { n: 1 });
    writeStateFile(path, { n: 2 });
    expect(readStateFile(path)).toEqual({ n: 2 });
    expect(readdirSync(dir)).toEqual(['table.json']);
  });

  it('removes its temporary file when the write fails, and throws', () => {
    const dir = makeTempDir();
    // A non-empty directory where the file should be: the final rename fails.
    const path = join(dir, 'table.json');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), '');
    expect(() => writeStateFile(path, { n: 1 })).toThrow();
    expect(readdirSync(dir)).toEqual(['table.json']);
  });
});

describe('readStateFile', () => {
  it('reads nothing when there is no file, and throws on one that is not JSON', () => {
    const dir = makeTempDir();
    expect(readStateFile(join(dir, 'table.json'))).toBeUndefined();
    writeFileSync(join(dir, 'table.json'), '{"cut');
    expect(() => readStateFile(join(dir, 'table.json'))).toThrow(SyntaxError);
  });
});
