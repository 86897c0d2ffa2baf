// SPDX-License-Identifier: GPL-3.0-or-later
// A test-side reader of notification frames v1 (docs/notifications.md) and of their golden
// vectors (test/vectors/notification-v1.txt): what a subscriber decodes, checked against the spec.
import { fileURLToPath } from 'node:url';
import type { Notification } from '../../src/newmail/notification.js';
import { hexToBytes } from './frames.js';
import { readVectorBlocks } from './vector-blocks.js';

export type NotificationReject = 'truncated' | 'trailing-bytes' | 'unknown-version' | 'unknown-kind' | 'invalid-string';
export type DecodedNotification = { ok: true; notification: Notification } | { ok: false; reason: NotificationReject };

class Reject extends Error {
  constructor(readonly reason: NotificationReject) {
    super(reason);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body; the first field that breaks a rule names the reason. */
export function decodeNotification(body: Uint8Array): DecodedNotification {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  const need = (n: number) => {
    if (at + n > view.length) throw new Reject('truncated');
  };
  const u8 = () => (need(1), view.readUInt8(at++));
  const u16 = () => (need(2), (at += 2), view.readUInt16LE(at - 2));
  const u32 = () => (need(4), (at += 4), view.readUInt32LE(at - 4));
  const text = (n: number, required: boolean) => {
    need(n);
    const bytes = view.subarray(at, (at += n));
    if ((required && n === 0) || bytes.includes(0)) throw new Reject('invalid-string');
    try {
      return utf8.decode(bytes);
    } catch {
      throw new Reject('invalid-string');
    }
  };
  try {
    if (u8() !== 1) throw new Reject('unknown-version');
    if (u8() !== 1) throw new Reject('unknown-kind');
    const backend = text(u8(), true);
    const username = text(u8(), true);
    const vuser = text(u8(), true);
    const folder = text(u16(), true);
    const messageId = text(u16(), true);
    const uidValidity = u32();
    const sender = text(u16(), false);
    const subject = text(u16(), false);
    if (at !== view.length) throw new Reject('trailing-bytes');
    const notification: Notification = { backend, username, vuser, folder, messageId, uidValidity };
    if (sender !== '') notification.sender = sender;
    if (subject !== '') notification.subject = subject;
    return { ok: true, notification };
  } catch (error) {
    if (error instanceof Reject) return { ok: false, reason: error.reason };
    throw error;
  }
}

export interface NotificationVector {
  name: string;
  body: Uint8Array;
  topic?: Uint8Array;
  notification?: Notification;
  error?: NotificationReject;
}

const VECTORS_FILE = fileURLToPath(new URL('../vectors/notification-v1.txt', import.meta.url));

export function loadNotificationVectors(path = VECTORS_FILE): NotificationVector[] {
  return readVectorBlocks(path).map((block) => toVector(block.name, block.fields));
}

function toVector(name: string, fields: Map<string, string>): NotificationVector {
  const field = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined) throw new Error(`vector ${name}: no ${key}`);
    return value;
  };
  const body = hexToBytes(field('hex'));
  const error = fields.get('error');
  if (error !== undefined) return { name, body, error: error as NotificationReject };
  const notification: Notification = {
    backend: field('backend'),
    username: field('username'),
    vuser: field('vuser'),
    folder: field('folder'),
    messageId: field('message_id'),
    uidValidity: Number(fields.get('uidvalidity') ?? 0),
  };
  const sender = fields.get('sender');
  const subject = fields.get('subject');
  if (sender !== undefined) notification.sender = sender;
  if (subject !== undefined) notification.subject = subject;
  return { name, body, topic: hexToBytes(field('topic')), notification };
}
