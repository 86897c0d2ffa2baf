import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, defaultEndpoint, defaultStateDir, LIBRARY_LIMITS } from '../../src/server/defaults.js';
import { leaseFor } from '../../src/table/lease.js';
import { REPO_ROOT } from '../support/processes.js';

/** The value of `#define NAME VALUE` in a C file of the repository. */
function cDefine(file: string, name: string): number {
  const match = new RegExp(`^#define ${name} (\\d+)u?$`, 'm').exec(readFileSync(join(REPO_ROOT, file), 'utf8'));
  if (match === null) throw new Error(`${file} defines no ${name}`);
  return Number(match[1]);
}

describe('defaults shared with the library', () => {
  it('endpoint: under XDG_RUNTIME_DIR, else under /tmp', () => {
    expect(defaultEndpoint({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('ipc:///run/user/1000/mapistore-mgmt/notify.sock');
    expect(defaultEndpoint({})).toBe('ipc:///tmp/mapistore-mgmt/notify.sock');
    expect(defaultEndpoint({ XDG_RUNTIME_DIR: '' })).toBe('ipc:///tmp/mapistore-mgmt/notify.sock');
  });

  it("state dir: systemd's STATE_DIRECTORY (first of a list), else XDG_STATE_HOME, else ~/.local/state", () => {
    expect(defaultStateDir({ STATE_DIRECTORY: '/var/lib/mapistore-mgmt:/var/lib/other' })).toBe('/var/lib/mapistore-mgmt');
    expect(defaultStateDir({ XDG_STATE_HOME: '/home/op/.state' })).toBe('/home/op/.state/mapistore-mgmt');
    expect(defaultStateDir({})).toBe(`${homedir()}/.local/state/mapistore-mgmt`);
  });

  it("limits: the library's, as its header and encoder define them, are taken in full by the notifier's defaults", () => {
    const header = 'include/mapistore/mapistore_mgmt.h';
    expect(LIBRARY_LIMITS).toEqual({
      maxTriples: cDefine(header, 'MAPISTORE_MGMT_MAX_TRIPLES'),
      heartbeatMsMin: cDefine(header, 'MAPISTORE_MGMT_HEARTBEAT_MS_MIN'),
      heartbeatMsMax: cDefine(header, 'MAPISTORE_MGMT_HEARTBEAT_MS_MAX'),
      maxFrameBytes: cDefine('src/libmapistore-mgmt/wire.h', 'MM_WIRE_FRAME_MAX'),
    });
    expect(DEFAULTS.maxRegistrationsPerSource).toBeGreaterThanOrEqual(LIBRARY_LIMITS.maxTriples);
    expect(DEFAULTS.maxFrameBytes).toBeGreaterThanOrEqual(LIBRARY_LIMITS.maxFrameBytes);
    // Every interval the library accepts is leased for exactly three of itself: none flaps, none lingers.
    const lease = { defaultIntervalMs: DEFAULTS.heartbeatMs, multiplier: DEFAULTS.leaseMultiplier, minLeaseMs: DEFAULTS.minLeaseMs, maxLeaseMs: DEFAULTS.maxLeaseMs };
    for (const intervalMs of [LIBRARY_LIMITS.heartbeatMsMin, 200, 5_000, LIBRARY_LIMITS.heartbeatMsMax]) {
      expect(leaseFor(intervalMs, lease)).toBe(3 * intervalMs);
    }
  });
});
