// SPDX-License-Identifier: GPL-3.0-or-later
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byCodeUnit } from '../../src/table/ordered-keys.js';
import { StringPool } from '../../src/table/string-pool.js';

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
/**
 * Strings of every kind the pool stores differently or orders carefully: ASCII, Latin-1 (one
 * byte a unit), the edge of Latin-1, characters above U+FFFF (surrogate pairs) beside
 * U+E000-U+FFFF (which UTF-8 would order the other way), any code unit, and the empty string.
 */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'A', '\0', '\xff', '\u0100', '\ue000', '\uffff', '\u{10000}', '\u{1f600}', '\ud800', '\udfff'), maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: anyUnit, maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);

const sign = (n: number) => Math.sign(n);

describe('StringPool', () => {
  it('numbers each string once and lets it go with its last reference, reusing the number', () => {
    const pool = new StringPool();
    const jdoe = pool.retain('jdoe');
    expect(pool.retain(['j', 'doe'].join(''))).toBe(jdoe);
    expect(pool.find('jdoe')).toBe(jdoe);
    expect(pool.find('amy')).toBe(-1);
    pool.release(jdoe);
    expect(pool.text(pool.find('jdoe'))).toBe('jdoe');
    pool.release(jdoe);
    expect(pool.find('jdoe')).toBe(-1);
    expect(pool.size).toBe(0);
    expect(pool.retain('amy')).toBe(jdoe);
  });

  it('gives back every string exactly: astral characters, lone surrogates, NUL, empty, very long', () => {
    const pool = new StringPool();
    const long = (unit: string) => unit.repeat(70_000);
    const values = ['', '\0', 'a\0b', '\u{1f600}', 'x\ud800', '\udfffy', '\udc00\ud800', '\xff\xfe', '\u0100', 'é', long('a'), long('\u{10348}'), `${long('b')}\u2603`];
    const ids = values.map((value) => pool.retain(value));
    expect(new Set(ids).size).toBe(values.length);
    values.forEach((value, i) => {
      expect(pool.text(ids[i] as number)).toBe(value);
      expect(pool.find(value)).toBe(ids[i]);
      expect(pool.is(ids[i] as number, value)).toBe(true);
    });
    // Same length, same first units, differing only in the last one or in width.
    expect(pool.find('x\ud801')).toBe(-1);
    expect(pool.find(`${long('b')}\u2604`)).toBe(-1);
    expect(pool.is(pool.find('\xff\xfe'), '\u01ff\xfe')).toBe(false);
  });

  it('orders strings as JavaScript compares them, code unit by code unit', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const pool = new StringPool();
        const x = pool.retain(a);
        const y = pool.retain(b);
        expect(sign(pool.compare(x, y))).toBe(sign(byCodeUnit(a, b)));
        expect(sign(pool.compare(y, x))).toBe(sign(byCodeUnit(b, a)));
      }),
      { numRuns: 2000 },
    );
    // Where UTF-8 byte order and code-unit order disagree: U+10000 is D800 DC00 in UTF-16.
    const pool = new StringPool();
    expect(pool.compare(pool.retain('\u{10000}'), pool.retain('\ue000'))).toBeLessThan(0);
  });

  it.each([0, 4, 1024])('holds exactly the strings referred to through any retains and releases, taking back the space of those let go (keeping %i released)', (keep) => {
    const op = fc.record({ retain: fc.boolean(), value: text });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const pool = new StringPool(keep);
        const model = new Map<string, { id: number; refs: number }>();
        for (const { retain, value } of ops) {
          const held = model.get(value);
          if (retain) {
            const id = pool.retain(value);
            if (held !== undefined) expect(id).toBe(held.id);
            model.set(value, { id, refs: (held?.refs ?? 0) + 1 });
          } else if (held !== undefined) {
            pool.release(held.id);
            if (held.refs === 1) model.delete(value);
            else held.refs--;
          }
        }
        expect(pool.size).toBe(model.size);
        for (const [value, { id }] of model) {
          expect(pool.find(value)).toBe(id);
          expect(pool.text(id)).toBe(value);
        }
        for (const { value } of ops) if (!model.has(value)) expect(pool.find(value)).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it.each([0, 1024])('reuses the space of strings let go: churn does not grow the buffer (keeping %i released)', (keep) => {
    const pool = new StringPool(keep);
    const kept = Array.from({ length: 1000 }, (_, i) => pool.retain(`kept${i}@example.org`));
    for (let round = 0; round < 50; round++) {
      const passing = Array.from({ length: 1000 }, (_, i) => pool.retain(`r${round}-${i}@example.org`));
      for (const id of passing) pool.release(id);
    }
    // About 20 bytes a string: 1000 held, at most 1000 passing and `keep` released, with half as much again as room.
    expect(pool.capacity).toBeLessThan((2 * 1000 + keep) * 22 * 1.5);
    kept.forEach((id, i) => expect(pool.text(id)).toBe(`kept${i}@example.org`));
    expect(pool.size).toBe(1000);
  });

  it('forgets a string found lately once it goes, though its number is reused', () => {
    const pool = new StringPool();
    const amy = pool.retain('amy');
    expect(pool.find(['a', 'my'].join(''))).toBe(amy);
    expect(pool.find('amy')).toBe(amy);
    pool.release(amy);
    expect(pool.find('amy')).toBe(-1);
    const bob = pool.retain('bob');
    expect(bob).toBe(amy);
    expect(pool.find('amy')).toBe(-1);
    expect(pool.find('bob')).toBe(bob);
    expect(pool.retain('amy')).not.toBe(bob);
    expect(pool.text(bob)).toBe('bob');
  });

  it('keeps a string released lately under its number until another takes its place, findable by retain only', () => {
    const pool = new StringPool(4);
    const amy = pool.retain('amy');
    pool.release(amy);
    expect([pool.find('amy'), pool.size, pool.holds(amy)]).toEqual([-1, 0, false]);
    expect(pool.retain('amy')).toBe(amy);
    expect([pool.find('amy'), pool.size, pool.text(amy)]).toEqual([amy, 1, 'amy']);
    pool.release(amy);
    // amy's place (id % 4) goes to a string released later: amy goes then, and her number is free.
    const others = ['b', 'c', 'd', 'e'].map((value) => pool.retain(value));
    expect(others).not.toContain(amy);
    for (const id of others) pool.release(id);
    expect(pool.retain('f')).toBe(amy);
    expect(pool.retain('amy')).not.toBe(amy);
    expect(pool.size).toBe(2);
  });

  it('holds many strings through growth and removal', () => {
    const pool = new StringPool();
    const ids = Array.from({ length: 5000 }, (_, i) => pool.retain(`user${i}@example.org`));
    for (let i = 0; i < 5000; i += 2) pool.release(ids[i] as number);
    for (let i = 0; i < 5000; i++) expect(pool.find(`user${i}@example.org`)).toBe(i % 2 === 0 ? -1 : ids[i]);
    expect(pool.size).toBe(2500);
  });
});
