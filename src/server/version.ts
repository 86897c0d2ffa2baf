// SPDX-License-Identifier: GPL-3.0-or-later
import { createRequire } from 'node:module';

// package.json is two levels up from both src/server and dist/server.
const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

export const VERSION = packageJson.version;
