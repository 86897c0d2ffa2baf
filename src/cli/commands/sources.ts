// SPDX-License-Identifier: GPL-3.0-or-later
import type { Command } from 'commander';
import type { SourceView } from '../../server/api-types.js';
import { httpOption, tokenFileOption, jsonOption, limitOption, type ListOptions } from '../common-options.js';
import { formatTable, printJson } from '../format-table.js';
import { getAllPages } from '../http-client.js';

function secondsFromNow(iso: string, now: number): string {
  return `${((Date.parse(iso) - now) / 1000).toFixed(1)}s`;
}

export function addSourcesCommand(program: Command): void {
  program
    .command('sources')
    .description('list the sender processes (sources: host/pid/epoch) the notifier tracks, with what they hold and when their lease ends')
    .addOption(limitOption())
    .addOption(jsonOption())
    .addOption(httpOption())
    .addOption(tokenFileOption())
    .action(async (options: ListOptions) => {
      const sources = await getAllPages<SourceView>(options, '/v1/sources', 'sources', options.limit);
      if (options.json) return printJson(sources);
      if (sources.length === 0) return void process.stdout.write('no sources\n');
      const now = Date.now();
      const rows = sources.map((s) => [
        s.key,
        s.registrations,
        s.triples,
        `${s.intervalMs}ms`,
        secondsFromNow(s.expiresAt, now),
        s.droppedReported,
        s.gaps,
        s.restored ? 'restored' : '',
      ]);
      const headers = ['SOURCE', 'REGISTRATIONS', 'TRIPLES', 'INTERVAL', 'EXPIRES IN', 'DROPPED', 'GAPS', 'NOTE'];
      process.stdout.write(`${formatTable(headers, rows)}\n`);
    });
}
