// SPDX-License-Identifier: GPL-3.0-or-later
// New-mail notification frames v1 (docs/notifications.md): what the notifier publishes to the
// OpenChange server processes, one message per registered username.

import type { Notification } from '../protocol/notification.js';

export type { Notification };

const VERSION = 1;
const KIND_NEW_MAIL = 1;
export const STR8_MAX_BYTES = 255;
export const STR16_MAX_BYTES = 65_535;
export const UINT32_MAX = 0xffff_ffff;

/** Why a value cannot be a frame string, or undefined when it can: `min`..`max` bytes of well-formed UTF-8 without NUL. */
export function stringProblem(value: string, min: number, max: number): string | undefined {
  // With the u flag a surrogate pair is one code point: \p{Cs} matches only a lone surrogate.
  if (/\p{Cs}/u.test(value)) return 'is not well-formed UTF-8 (a lone surrogate)';
  if (value.includes('\0')) return 'contains a NUL character';
  const bytes = Buffer.byteLength(value);
  if (bytes < min) return 'is empty';
  if (bytes > max) return `is ${bytes} bytes of UTF-8, more than ${max}`;
  return undefined;
}

function str(value: string, lengthBytes: 1 | 2, min: number): Buffer {
  const problem = stringProblem(value, min, lengthBytes === 1 ? STR8_MAX_BYTES : STR16_MAX_BYTES);
  if (problem !== undefined) throw new RangeError(`a notification string ${problem}`);
  const text = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(lengthBytes);
  if (lengthBytes === 1) length.writeUInt8(text.length);
  else length.writeUInt16LE(text.length);
  return Buffer.concat([length, text]);
}

/** The topic frame: the username and a NUL, so that a subscription to `jdoe` never matches `jdoe2`. */
function notificationTopic(username: string): Buffer {
  return Buffer.concat([Buffer.from(username, 'utf8'), Buffer.alloc(1)]);
}

/** The two frames of a notification (topic, body). Throws RangeError for a field the format cannot carry. */
export function encodeNotification(n: Notification): [topic: Buffer, body: Buffer] {
  if (!Number.isInteger(n.uidValidity) || n.uidValidity < 0 || n.uidValidity > UINT32_MAX) {
    throw new RangeError(`uidValidity ${n.uidValidity} is not a u32`);
  }
  const uidValidity = Buffer.alloc(4);
  uidValidity.writeUInt32LE(n.uidValidity);
  const body = Buffer.concat([
    Buffer.from([VERSION, KIND_NEW_MAIL]),
    str(n.backend, 1, 1),
    str(n.username, 1, 1),
    str(n.vuser, 1, 1),
    str(n.folder, 2, 1),
    str(n.messageId, 2, 1),
    uidValidity,
    str(n.sender ?? '', 2, 0),
    str(n.subject ?? '', 2, 0),
  ]);
  return [notificationTopic(n.username), body];
}
