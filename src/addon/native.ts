// What binding/addon.cc provides: the C library's calls over already-validated plain values.
// Internal: the public API (index.ts) validates, converts and turns codes into errors.

/** mapistore_mgmt_stats as the addon returns it: every u64 as a BigInt. */
export interface NativeStats {
  messagesSent: bigint;
  messagesDropped: bigint;
  heartbeatsSent: bigint;
  registrationsHeld: bigint;
  triplesHeld: bigint;
  queueLength: bigint;
  epoch: bigint;
  pid: number;
  lastError: number;
  endpointError: number;
}

/** register or unregister: (username, backend, vuser, 16-byte wire GUID, replId) -> code. */
export type NativeUserCall = (
  username: string,
  backend: string,
  vuser: string,
  replicaGuid: Uint8Array,
  replId: number,
) => number;

export interface NativeAddon {
  registerUser: NativeUserCall;
  unregisterUser: NativeUserCall;
  /** 0 (or null for the endpoint) keeps the current value. Returns the C return code. */
  configure(endpoint: string | null, heartbeatMs: number, queueLimit: number, lingerMs: number): number;
  shutdown(): number;
  /** The counters, or the C return code when the library refused. */
  stats(): NativeStats | number;
  errorName(code: number): string | null;
  errorText(code: number): string;
  version(): string;
  readonly SUCCESS: number;
  readonly ERR_MSG_SEND: number;
}
