// SPDX-License-Identifier: GPL-3.0-or-later
// Argument checks of the public API: what is not of the documented JavaScript shape throws a
// TypeError here, before anything reaches C. Values of the right shape (an empty or oversized
// string, an endpoint without ipc:// or tcp://) are the C library's to judge.
import { guidToWire } from './guid.js';

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/** A plain object (not null, not an array) whose keys are all in `allowed`. */
export function checkRecord(name: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${name} has an unknown key '${key}' (known: ${allowed.join(', ')})`);
    }
  }
  return record;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false`);
  return value;
}

/** An integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function checkGuid(name: string, value: unknown): Uint8Array {
  const wire = guidToWire(checkString(name, value));
  if (!wire) throw new TypeError(`${name} must be a GUID as 8-4-4-4-12 hex digits`);
  return wire;
}

export function checkU16(name: string, value: unknown): number {
  return checkInteger(name, value, 0, U16_MAX);
}

/** A positive u32: the C library reads 0 as "keep the current value". */
export function checkPositiveU32(name: string, value: unknown): number {
  return checkInteger(name, value, 1, U32_MAX);
}
