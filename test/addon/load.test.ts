// SPDX-License-Identifier: GPL-3.0-or-later
// Loading the native module: the built one, and a clear error when it is missing.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadAddon } from '../../src/addon/load.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

it('loads the built module, which provides what native.ts declares', () => {
  const addon = loadAddon();
  for (const name of ['registerUser', 'unregisterUser', 'configure', 'shutdown', 'stats', 'errorName', 'errorText', 'version'] as const) {
    expect(typeof addon[name]).toBe('function');
  }
  expect(addon.SUCCESS).toBe(0);
  expect(addon.ERR_MSG_SEND).toBe(19);
  expect(addon.errorText(6)).toBe('Invalid parameter');
});

it('the native functions refuse arguments of the wrong type with a TypeError', () => {
  const addon = loadAddon();
  expect(() => addon.registerUser('jdoe', 'SOGo', 'jdoe', new Uint8Array(15), 0)).toThrow(TypeError);
  expect(() => (addon.configure as (...args: unknown[]) => number)(undefined, 0, 0, 0)).toThrow(TypeError);
  expect(() => (addon.errorName as (...args: unknown[]) => string)('6')).toThrow(TypeError);
});

it('names `npm run build:native` when the module is missing', () => {
  const missing = join(makeTempDir('mm-addon-load-'), 'mapistore_mgmt.node');
  expect(() => loadAddon(missing)).toThrow(/not built .*run `npm run build:native`/);
  removeTempDirs();
});
