// SPDX-License-Identifier: GPL-3.0-or-later
// test/vectors/notification-v1.txt read for the addon's tests (the format is in its header).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes.js';

export interface NotificationVector {
  name: string;
  /** The field lines, by name ('backend', 'uidvalidity', ...). */
  fields: Record<string, string>;
  /** The topic frame; absent for an error vector. */
  topic?: Buffer;
  body: Buffer;
  /** The reason an error vector is refused with. */
  error?: string;
}

export function readNotificationVectors(): NotificationVector[] {
  const text = readFileSync(join(REPO_ROOT, 'test/vectors/notification-v1.txt'), 'utf8');
  const vectors: NotificationVector[] = [];
  let current: NotificationVector | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (line === 'end') {
      if (!current) throw new Error('"end" outside a vector');
      vectors.push(current);
      current = undefined;
      continue;
    }
    const space = line.indexOf(' ');
    const [name, value] = [line.slice(0, space), line.slice(space + 1)];
    if (name === 'vector') current = { name: value, fields: {}, body: Buffer.alloc(0) };
    else if (!current) throw new Error(`field outside a vector: ${line}`);
    else if (name === 'hex') current.body = Buffer.from(value, 'hex');
    else if (name === 'topic') current.topic = Buffer.from(value, 'hex');
    else if (name === 'error') current.error = value;
    else current.fields[name] = value;
  }
  return vectors;
}
