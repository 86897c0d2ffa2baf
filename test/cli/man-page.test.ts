// SPDX-License-Identifier: GPL-3.0-or-later
// man/mapistore-mgmt.1 against the CLI it describes: the same commands, each with the options
// its --help lists, and every variable serve reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/cli/serve-options.js';
import { cleanup, REPO_ROOT, runCli } from '../support/processes.js';

afterAll(cleanup);

/** The page's sections by title, with roff's `\-` read as the dash it prints. */
function pageSections(): Map<string, string[]> {
  const text = readFileSync(join(REPO_ROOT, 'man', 'mapistore-mgmt.1'), 'utf8').replaceAll('\\-', '-');
  const sections = new Map<string, string[]>();
  for (const section of text.split(/^\.SH /m).slice(1)) {
    const [title = '', ...lines] = section.split('\n');
    sections.set(title.replaceAll('"', ''), lines);
  }
  return sections;
}

function section(title: string): string[] {
  const lines = pageSections().get(title);
  if (!lines) throw new Error(`man/mapistore-mgmt.1 has no section ${title}`);
  return lines;
}

/** The `-x` and `--name` tokens of some text, sorted. */
function optionNames(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![\w-])--?[a-zA-Z][\w-]*/g)].map(([name]) => name))].sort();
}

/** The tags of a section's .TP (and .TQ) paragraphs: the line after each. */
function tags(lines: string[]): string[] {
  return lines.flatMap((line, index) => (/^\.T[PQ]\b/.test(line) ? [lines[index + 1] ?? ''] : []));
}

/** Each command's synopsis (the lines after `.SY mapistore-mgmt` that start with `.B COMMAND`). */
function synopses(): Map<string, string> {
  const blocks = section('SYNOPSIS').join('\n').split(/^\.SY mapistore-mgmt\n/m).slice(1);
  const result = new Map<string, string>();
  for (const block of blocks) {
    const command = /^\.B ([a-z][a-z-]*)\n/.exec(block)?.[1];
    if (command) result.set(command, block.split(/^\.YS/m)[0] ?? '');
  }
  return result;
}

/** What commander's help of `args` says: its commands and the flags of its options. */
async function help(args: string[]): Promise<{ commands: string[]; options: string[] }> {
  const result = await runCli([...args, '--help']);
  expect(result.code, result.stderr).toBe(0);
  const block = (title: string) => result.stdout.split(`\n${title}:\n`)[1]?.split('\n\n')[0]?.split('\n') ?? [];
  // An entry's first line starts with two spaces; its description follows two or more spaces.
  const entries = (title: string) => block(title).flatMap((line) => /^ {2}(\S.*?)(?: {2,}|$)/.exec(line)?.[1] ?? []);
  return {
    commands: entries('Commands').map((entry) => entry.split(' ')[0] ?? '').filter((name) => name !== 'help'),
    options: optionNames(entries('Options').join('\n')),
  };
}

describe('man/mapistore-mgmt.1', () => {
  it('describes exactly the commands of the CLI, each in the synopsis too', async () => {
    const { commands } = await help([]);
    expect(commands.length).toBeGreaterThan(5);
    const described = tags(section('COMMANDS')).map((tag) => /^\.BI? "?([a-z-]+)/.exec(tag)?.[1]);
    expect(described.sort()).toEqual([...commands].sort());
    expect([...synopses().keys()].sort()).toEqual([...commands].sort());
  });

  it('gives the general options of mapistore-mgmt --help', async () => {
    const { options } = await help([]);
    expect(optionNames(tags(section('GENERAL OPTIONS')).join('\n'))).toEqual(options);
  });

  it('gives every option of serve, and only those', async () => {
    const { options } = await help(['serve']);
    const described = optionNames(tags(section('SERVE OPTIONS')).join('\n'));
    expect(described.length).toBeGreaterThan(10);
    expect(described).toEqual(options.filter((name) => !['-h', '--help'].includes(name)));
  });

  it("gives each query command's options in its synopsis, and describes them all", async () => {
    const querySynopses = [...synopses()].filter(([command]) => command !== 'serve');
    const queryOptions = optionNames(tags(section('QUERY OPTIONS')).join('\n'));
    const used = new Set<string>();
    for (const [command, synopsis] of querySynopses) {
      const { options } = await help([command]);
      const own = options.filter((name) => !['-h', '--help'].includes(name));
      expect(optionNames(synopsis), command).toEqual(own);
      for (const name of own) used.add(name);
    }
    expect(queryOptions).toEqual([...used].sort());
  });

  it('gives the default each numeric serve option really has', () => {
    const lines = section('SERVE OPTIONS');
    const numeric = serveOptions().filter((option) => typeof option.defaultValue === 'number');
    expect(numeric.length).toBeGreaterThan(10);
    for (const option of numeric) {
      const at = lines.findIndex((line, index) => /^\.T[PQ]\b/.test(lines[index - 1] ?? '') && line.startsWith(`.BI ${option.long} `));
      const paragraph = lines.slice(at + 1, lines.findIndex((line, index) => index > at && /^\.T[PQ]\b/.test(line))).join(' ');
      expect(/\(default (\d+)/.exec(paragraph)?.[1], option.long).toBe(option.defaultValueDescription ?? String(option.defaultValue));
    }
  });

  it('names the variable of every serve option, and MAPISTORE_MGMT_HTTP', () => {
    const named = new Set(tags(section('ENVIRONMENT')).map((tag) => tag.replace(/^\.B /, '')));
    for (const option of serveOptions()) expect(named, option.long).toContain(option.envVar);
    expect(named).toContain('MAPISTORE_MGMT_HTTP');
  });
});
