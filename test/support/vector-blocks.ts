// SPDX-License-Identifier: GPL-3.0-or-later
/** Reads a golden-vector file's blocks ("vector NAME", "WORD VALUE" lines, "end"; "#" comments),
 * the format both test/vectors files share; each file's reader gives the words their meaning. */
import { readFileSync } from 'node:fs';

export interface VectorBlock {
  name: string;
  /** Words given once, by word. */
  fields: Map<string, string>;
  /** Words that may repeat (as `repeatable` names them), in order. */
  lists: Map<string, string[]>;
}

export function readVectorBlocks(path: string, repeatable: readonly string[] = []): VectorBlock[] {
  const blocks: VectorBlock[] = [];
  let block: VectorBlock | undefined;
  for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (line.startsWith('#') || (block === undefined && line.trim() === '')) continue;
    const space = line.indexOf(' ');
    const [word, value] = space === -1 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
    if (block === undefined) {
      if (word !== 'vector' || value === '') throw new Error(`line ${index + 1}: expected "vector NAME"`);
      block = { name: value, fields: new Map(), lists: new Map(repeatable.map((word) => [word, []])) };
    } else if (word === 'end') {
      blocks.push(block);
      block = undefined;
    } else if (block.lists.has(word)) {
      block.lists.get(word)!.push(value);
    } else {
      if (block.fields.has(word)) throw new Error(`line ${index + 1}: ${word} given twice`);
      block.fields.set(word, value);
    }
  }
  if (block !== undefined) throw new Error(`vector ${block.name} has no "end"`);
  return blocks;
}
