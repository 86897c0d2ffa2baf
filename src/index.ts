// SPDX-License-Identifier: GPL-3.0-or-later
// mapistore-mgmt: the C library's registration calls for Node (docs/node-api.md).
export * from './addon/index.js';
