// mapistore-mgmt: the C library's registration calls for Node (docs/node-api.md).
export {
  MapistoreError,
  configure,
  errorName,
  registerUser,
  shutdown,
  stats,
  unregisterUser,
  version,
} from './addon/index.js';
export type { ConfigureOptions, ConnectionInfo, MapistoreStats } from './addon/index.js';
