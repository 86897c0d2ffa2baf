// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { sourceKey } from '../../src/protocol/types.js';
import { Sources } from '../../src/table/sources.js';

const U64_MAX = 2n ** 64n - 1n;

describe('Sources', () => {
  it('keeps each field of each source apart, and reads the id back from the key', () => {
    const sources = new Sources();
    const a = sources.add(sourceKey({ host: 'mail/1', pid: 7, epoch: '00000000000000aa' }), 5n, 1_700_000_000_123);
    const b = sources.add(sourceKey({ host: 'mx', pid: 8, epoch: 'ffffffffffffffff' }), U64_MAX, 1_700_000_000_456);
    expect(sources.size).toBe(2);
    expect(sources.id(a)).toEqual({ host: 'mail/1', pid: 7, epoch: '00000000000000aa' });
    expect(sources.lastSeq(b)).toBe(U64_MAX);
    expect(sources.lastHeardAt(a)).toBe(1_700_000_000_123);
    expect(sources.announcedIntervalMs(a)).toBeNull();
    sources.setAnnouncedIntervalMs(a, 0);
    sources.setAnnouncedIntervalMs(b, 2 ** 32 - 1);
    expect([sources.announcedIntervalMs(a), sources.announcedIntervalMs(b)]).toEqual([0, 2 ** 32 - 1]);
    sources.setDroppedReported(b, U64_MAX);
    sources.addRegistrations(a, 2 ** 40);
    sources.setRestored(b, true);
    sources.setExpiresAt(a, Number.POSITIVE_INFINITY);
    expect(sources.saved(a)).toEqual({ host: 'mail/1', pid: 7, epoch: '00000000000000aa', lastSeq: '5', announcedIntervalMs: 0, lastHeardAt: 1_700_000_000_123, expiresAt: Number.POSITIVE_INFINITY, droppedReported: '0', gaps: '0' });
    expect([sources.droppedReportedOf(b), sources.registrations(a), sources.registrations(b), sources.restored(a), sources.restored(b)]).toEqual([U64_MAX, 2 ** 40, 0, false, true]);
  });

  it('sums sequence jumps exactly, past 2^64 in all', () => {
    const sources = new Sources();
    const a = sources.add('h/1/0000000000000001', 1n, 0);
    expect(sources.heard(a, 2n, 10)).toBe(0n);
    expect(sources.gaps(a)).toBe(0n);
    expect(sources.heard(a, U64_MAX - 1n, 20)).toBe(U64_MAX - 4n);
    sources.setGaps(a, U64_MAX);
    expect(sources.heard(a, U64_MAX, 30)).toBe(0n);
    sources.setGaps(a, U64_MAX - 1n);
    sources.setGaps(a, sources.gaps(a) + 5n);
    expect(sources.gaps(a)).toBe(U64_MAX + 4n);
    expect([sources.lastSeq(a), sources.lastHeardAt(a)]).toEqual([U64_MAX, 30]);
  });

  it('gives a removed source number to the next source with every field fresh', () => {
    const sources = new Sources();
    const a = sources.add('h/1/0000000000000001', 9n, 100);
    sources.setAnnouncedIntervalMs(a, 5000);
    sources.setDroppedReported(a, 3n);
    sources.setRestored(a, true);
    sources.addRegistrations(a, 4);
    sources.heard(a, 20n, 200);
    sources.remove(a);
    expect(sources.find('h/1/0000000000000001')).toBe(-1);
    const b = sources.add('h/2/0000000000000001', 1n, 300);
    expect(b).toBe(a);
    expect(sources.find('h/2/0000000000000001')).toBe(b);
    expect(sources.saved(b)).toEqual({ host: 'h', pid: 2, epoch: '0000000000000001', lastSeq: '1', announcedIntervalMs: null, lastHeardAt: 300, expiresAt: 0, droppedReported: '0', gaps: '0' });
    expect([sources.registrations(b), sources.restored(b), [...sources.numbers()]]).toEqual([0, false, [b]]);
  });
});
