// SPDX-License-Identifier: GPL-3.0-or-later
// Finds and loads the native addon: built by the package's install step where it is installed
// (scripts/install.mjs), by `npm run build:native` (or the set-up) in a checkout.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './native.js';

// src/addon/load.ts and dist/addon/load.js both sit two levels below the package root.
const ADDON_PATH = fileURLToPath(new URL('../../build/Release/mapistore_mgmt.node', import.meta.url));

/** Loads the addon at `path`: the build's unless a test names another. */
export function loadAddon(path: string = ADDON_PATH): NativeAddon {
  if (!existsSync(path)) {
    throw new Error(
      `mapistore-mgmt: the native addon is not built (no ${path}); where the package is installed, run ` +
        '`npm rebuild mapistore-mgmt` (it names any missing system package); in a checkout, run `npm run build:native`',
    );
  }
  const addon: NativeAddon = createRequire(import.meta.url)(path);
  return addon;
}
