// SPDX-License-Identifier: GPL-3.0-or-later
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from '../../src/server/rate-limited-log.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(stream), lines };
}

describe('RateLimitedLog', () => {
  it('logs once per key per interval, then reports how many it suppressed', () => {
    let now = 0;
    const { log, lines } = capture();
    const limited = new RateLimitedLog(log, 1000, () => now);
    for (let i = 0; i < 5; i++) limited.warn('truncated', { reason: 'truncated' }, 'rejected');
    limited.warn('oversized', { reason: 'oversized' }, 'rejected');
    expect(lines.map((l) => [l.reason, l.suppressed])).toEqual([['truncated', undefined], ['oversized', undefined]]);
    now = 999;
    limited.warn('truncated', { reason: 'truncated' }, 'rejected');
    expect(lines).toHaveLength(2);
    now = 1000;
    limited.warn('truncated', { reason: 'truncated' }, 'rejected');
    expect(lines.map((l) => [l.reason, l.suppressed])).toEqual([['truncated', undefined], ['oversized', undefined], ['truncated', 5]]);
  });
});
