// SPDX-License-Identifier: GPL-3.0-or-later
// docs/operations.md's configuration table against the options `serve` really has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/cli/serve-options.js';
import { REPO_ROOT } from '../support/processes.js';

interface DocumentedOption {
  flag: string;
  variable: string;
  defaultCell: string;
}

function documentedOptions(): DocumentedOption[] {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const rows = [...text.matchAll(/^\| `(--[a-z-]+)` \| `(MAPISTORE_MGMT_[A-Z_]+)` \| ([^|]+) \|/gm)];
  return rows.map(([, flag, variable, defaultCell]) => ({ flag: flag ?? '', variable: variable ?? '', defaultCell: (defaultCell ?? '').trim() }));
}

describe('docs/operations.md configuration table', () => {
  const documented = documentedOptions();
  const options = serveOptions();

  it('lists exactly the options of serve, each with its variable', () => {
    expect(documented.map((row) => [row.flag, row.variable])).toEqual(options.map((option) => [option.long, option.envVar]));
  });

  it('gives the default each option really has, where it names a single value', () => {
    const literal = documented.filter((row) => /^`[^`$]+`$/.test(row.defaultCell));
    expect(literal.length).toBeGreaterThan(10);
    for (const row of literal) {
      const option = options.find((candidate) => candidate.long === row.flag);
      expect(option?.defaultValueDescription ?? String(option?.defaultValue), row.flag).toBe(row.defaultCell.slice(1, -1));
    }
  });
});
