// SPDX-License-Identifier: GPL-3.0-or-later
// The addon, loaded once on first use (so that importing the package never needs the native
// build), and the error a C return code becomes.
import { MapistoreError } from './errors.js';
import { loadAddon } from './load.js';
import type { NativeAddon } from './native.js';

let loaded: NativeAddon | undefined;

export function addon(): NativeAddon {
  loaded ??= loadAddon();
  return loaded;
}

export function errorFor(code: number): MapistoreError {
  const native = addon();
  return new MapistoreError(native.errorText(code), native.errorName(code) ?? `MAPISTORE_UNKNOWN_${code}`, code);
}
