// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/protocol/decode.js';
import { REJECT_REASONS } from '../../src/protocol/types.js';
import { bytesToHex, decodedAs, encodeMessages } from '../support/frames.js';
import { loadVectors } from '../support/vectors.js';

const vectors = loadVectors();
const valid = vectors.filter((v) => v.messages !== undefined);
const invalid = vectors.filter((v) => v.error !== undefined);
const options = { maxFrameBytes: 65536 };

describe('golden vectors (test/vectors/protocol-v1.txt)', () => {
  it('cover every kind and every rejection reason', () => {
    expect(new Set(valid.flatMap((v) => v.messages?.map((m) => m.kind)))).toEqual(new Set(['register', 'unregister', 'heartbeat', 'goodbye']));
    // Batches, with every kind inside one.
    const batched = valid.filter((v) => (v.messages?.length ?? 0) > 1);
    expect(new Set(batched.flatMap((v) => v.messages?.map((m) => m.kind)))).toEqual(new Set(['register', 'unregister', 'heartbeat', 'goodbye']));
    const shown = new Set(invalid.map((v) => v.error));
    expect(REJECT_REASONS.filter((reason) => !shown.has(reason))).toEqual([]);
    // A message split across frames, valid and invalid.
    expect(valid.some((v) => v.frames.length > 1) && invalid.some((v) => v.frames.length > 1)).toBe(true);
  });

  describe.each(valid)('valid $name', (vector) => {
    it('decodes to exactly its fields', () => {
      expect(decodeMessage(vector.frames, options)).toStrictEqual(decodedAs(vector.messages!));
    });

    it('is what the test encoder produces', () => {
      expect(bytesToHex(encodeMessages(vector.messages!))).toBe(bytesToHex(vector.frame));
    });
  });

  describe.each(invalid)('invalid $name', (vector) => {
    it(`is rejected as ${vector.error}`, () => {
      const result = decodeMessage(vector.frames, { maxFrameBytes: vector.maxFrameBytes ?? options.maxFrameBytes });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toBe(vector.error);
        expect(result.detail.length).toBeGreaterThan(0);
      }
    });
  });
});
