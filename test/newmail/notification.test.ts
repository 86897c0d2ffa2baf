// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest';
import { encodeNotification, type Notification } from '../../src/newmail/notification.js';
import { bytesToHex } from '../support/frames.js';
import { decodeNotification, loadNotificationVectors } from '../support/notification-frames.js';

const vectors = loadNotificationVectors();
const valid = vectors.filter((v) => v.notification !== undefined);
const invalid = vectors.filter((v) => v.error !== undefined);
const base: Notification = { backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', folder: 'INBOX', messageId: '1', uidValidity: 0 };

describe('notification frames v1 (test/vectors/notification-v1.txt)', () => {
  it('has valid vectors and one for each rejection reason but invalid-string', () => {
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(new Set(invalid.map((v) => v.error))).toEqual(new Set(['truncated', 'unknown-version', 'unknown-kind', 'trailing-bytes']));
  });

  describe.each(valid)('valid $name', (vector) => {
    it('is what the encoder produces, topic and body', () => {
      const [topic, body] = encodeNotification(vector.notification!);
      expect(bytesToHex(topic)).toBe(bytesToHex(vector.topic!));
      expect(bytesToHex(body)).toBe(bytesToHex(vector.body));
    });

    it('decodes to exactly its fields', () => {
      expect(decodeNotification(vector.body)).toStrictEqual({ ok: true, notification: vector.notification });
    });
  });

  describe.each(invalid)('invalid $name', (vector) => {
    it(`is rejected as ${vector.error}`, () => {
      expect(decodeNotification(vector.body)).toStrictEqual({ ok: false, reason: vector.error });
    });
  });

  it('omits empty optional strings, as absent ones', () => {
    expect(encodeNotification({ ...base, sender: '', subject: '' })).toStrictEqual(encodeNotification(base));
  });

  it('carries the limits exactly: 255-byte str8, 65535-byte str16, u32 uid validity', () => {
    const longest = { ...base, vuser: 'é'.repeat(127) + 'x', subject: '✓'.repeat(21_845), uidValidity: 0xffff_ffff };
    const [, body] = encodeNotification(longest);
    expect(decodeNotification(body)).toStrictEqual({ ok: true, notification: longest });
  });

  it.each([
    ['an empty backend', { backend: '' }],
    ['a 256-byte username', { username: 'x'.repeat(256) }],
    ['a NUL in the vuser', { vuser: 'a\0b' }],
    ['an empty folder', { folder: '' }],
    ['an empty message id', { messageId: '' }],
    ['a lone surrogate in the subject', { subject: 'a\ud800' }],
    ['a 65536-byte sender', { sender: 'x'.repeat(65_536) }],
    ['a negative uid validity', { uidValidity: -1 }],
    ['a uid validity above u32', { uidValidity: 2 ** 32 }],
  ])('refuses %s (RangeError)', (_what, change) => {
    expect(() => encodeNotification({ ...base, ...change })).toThrow(RangeError);
  });
});
