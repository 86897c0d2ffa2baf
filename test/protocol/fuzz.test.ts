// SPDX-License-Identifier: GPL-3.0-or-later
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/decode.js';
import { REJECT_REASONS, type Message } from '../../src/protocol/types.js';
import { RegistrationTable } from '../../src/table/table.js';
import type { ApplyResult } from '../../src/table/types.js';
import { bytesToHex, decodedAs, encodeMessage, encodeMessages } from '../support/frames.js';
import { loadVectors } from '../support/vectors.js';

const options = { maxFrameBytes: 4096 };
const validFrames = loadVectors().flatMap((v) => (v.messages === undefined ? [] : [v.frame]));

/** Strings the protocol can carry: 1..255 bytes of UTF-8 without NUL. */
const wireString = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes('\0') && new TextEncoder().encode(s).length <= 255);
const guid = fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] });
const command = fc.record({ backend: wireString, username: wireString, vuser: wireString, replicaGuid: guid, replId: fc.nat(0xffff) });
const source = fc.record({
  host: wireString,
  pid: fc.integer({ min: 1, max: 0xffff_ffff }),
  epoch: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => n.toString(16).padStart(16, '0')),
});
const seq = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n });
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ kind: fc.constantFrom('register' as const, 'unregister' as const), source, seq, command }),
  fc.record({
    kind: fc.constant('heartbeat' as const),
    source,
    seq,
    intervalMs: fc.integer({ min: 1, max: 0xffff_ffff }),
    dropped: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    entries: fc.uniqueArray(
      fc.tuple(command, fc.integer({ min: 1, max: 0xffff_ffff })).map(([c, count]) => ({ ...c, count })),
      { maxLength: 4, selector: (e) => `${e.backend}\0${e.username}\0${e.vuser}` },
    ),
  }),
  fc.record({ kind: fc.constant('goodbye' as const), source, seq }),
);

/** 2..6 messages of one source with consecutive seqs: what a batch frame holds. */
const batch: fc.Arbitrary<Message[]> = fc
  .tuple(source, fc.bigInt({ min: 1n, max: 2n ** 64n - 6n }), fc.array(message, { minLength: 2, maxLength: 6 }))
  .map(([id, first, members]) => members.map((m, i) => ({ ...m, source: id, seq: first + BigInt(i) })));

type Mutation = (frame: Uint8Array) => Uint8Array;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]): Mutation => (frame) => {
    const copy = frame.slice();
    if (copy.length > 0) copy[at % copy.length]! ^= 1 << bit;
    return copy;
  }),
  fc.tuple(fc.nat(), fc.nat(255)).map(([at, value]): Mutation => (frame) => {
    // Length bytes, counts and kinds all live in single bytes: overwrite one.
    const copy = frame.slice();
    if (copy.length > 0) copy[at % copy.length] = value;
    return copy;
  }),
  fc.nat().map((length): Mutation => (frame) => frame.slice(0, length % (frame.length + 1))),
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((tail): Mutation => (frame) => Uint8Array.from([...frame, ...tail])),
  fc.tuple(fc.nat(), fc.nat()).map(([at, length]): Mutation => (frame) => {
    const start = at % (frame.length + 1);
    return Uint8Array.from([...frame.subarray(0, start), ...frame.subarray(start + (length % 8) + 1)]);
  }),
);
const mutatedFrame = fc
  .tuple(fc.oneof(fc.constantFrom(...validFrames), message.map(encodeMessage), batch.map(encodeMessages)), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([frame, mutations]) => mutations.reduce((bytes, mutate) => mutate(bytes), frame));

/** Decoding either succeeds canonically or names a known reason; it never throws. */
function checkDecode(frame: Uint8Array): ReturnType<typeof decodeFrame> {
  const result = decodeFrame(frame, options);
  if (result.ok) {
    // The format has exactly one encoding per message, so anything accepted re-encodes to itself.
    expect(bytesToHex(encodeMessages(result.messages))).toBe(bytesToHex(frame));
  } else {
    expect(REJECT_REASONS).toContain(result.reason);
    expect(result.detail).not.toBe('');
  }
  return result;
}

describe('decoder fuzzing', () => {
  it('round-trips every message the encoder can build', () => {
    fc.assert(
      fc.property(message, (m) => {
        // toEqual: fast-check builds null-prototype records; values and types still must match.
        expect(decodeFrame(encodeMessage(m), { maxFrameBytes: 1 << 16 })).toEqual(decodedAs([m]));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every batch the encoder can build, each message with its own seq', () => {
    fc.assert(
      fc.property(batch, (messages) => {
        expect(decodeFrame(encodeMessages(messages), { maxFrameBytes: 1 << 16 })).toEqual(decodedAs(messages));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void checkDecode(bytes)), { numRuns: 2000 });
  });

  it('never throws on random bytes behind a plausible header', () => {
    const header = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 120 })).map(([kind, rest]) =>
      Uint8Array.from([1, kind, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x68, ...rest]),
    );
    fc.assert(fc.property(header, (bytes) => void checkDecode(bytes)), { numRuns: 2000 });
  });

  it('never throws on mutated valid frames', () => {
    fc.assert(fc.property(mutatedFrame, (frame) => void checkDecode(frame)), { numRuns: 3000 });
  });

  it('leaves a table unchanged by every frame the decoder or the table rejects', () => {
    fc.assert(
      fc.property(fc.array(mutatedFrame, { maxLength: 30 }), (frames) => {
        let clock = 0;
        const table = new RegistrationTable({
          limits: { maxSources: 3, maxRegistrationsPerSource: 3 },
          lease: { defaultIntervalMs: 1000, multiplier: 3, minLeaseMs: 1000, maxLeaseMs: 60_000 },
          now: () => clock,
        });
        // A message over the per-source limit from a known source still renews its lease:
        // then only the registrations must be as they were.
        const view = (withLeases: boolean) =>
          JSON.stringify([
            table.toState().sources.map((source) => (withLeases ? source : source.registrations)),
            table.users(),
            table.sourceCount,
            table.registrationCount,
          ]);
        const unchangedUnlessRenewed = (before: string[], result: ApplyResult | undefined): void => {
          if (result === undefined || result.outcome === 'rejected') {
            const renewed = result?.outcome === 'rejected' && result.renewed !== undefined;
            expect(view(!renewed)).toBe(before[renewed ? 1 : 0]);
          }
        };
        for (const frame of [...validFrames, ...frames]) {
          clock += 10;
          const before = [view(true), view(false)];
          const decoded = checkDecode(frame);
          if (!decoded.ok) unchangedUnlessRenewed(before, undefined);
          // Each message of a batch is held to the rule on its own.
          else for (const message of decoded.messages) {
            const beforeMessage = [view(true), view(false)];
            unchangedUnlessRenewed(beforeMessage, table.apply(message, decoded.sourceKey));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
