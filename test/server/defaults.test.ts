// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS, defaultEndpoint, defaultStateDir, LIBRARY_LIMITS } from '../../src/server/defaults.js';
import { leaseFor } from '../../src/table/lease.js';
import { cleanup, REPO_ROOT, runProcess, SEND_TOOL } from '../support/processes.js';

afterAll(cleanup);

const NOBODY = 65534;

/** The value of `#define NAME VALUE` in a C file of the repository. */
function cDefine(file: string, name: string): number {
  const match = new RegExp(`^#define ${name} (\\d+)u?$`, 'm').exec(readFileSync(join(REPO_ROOT, file), 'utf8'));
  if (match === null) throw new Error(`${file} defines no ${name}`);
  return Number(match[1]);
}

/** The endpoint mapistore-mgmt-send (the library's own rule) names, run as `uid` with `env`. */
async function libraryDefault(uid: number, env: NodeJS.ProcessEnv): Promise<string> {
  const asUser = uid === 0 ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  const command = [...asUser, SEND_TOOL, 'stats'];
  // Only the variables given (env -i): the test's own environment must not choose the endpoint.
  const variables = Object.entries(env).map(([name, value]) => `${name}=${value ?? ''}`);
  const result = await runProcess('env', ['-i', ...variables, ...command]);
  expect(result.code, result.stderr).toBe(0);
  return /^mapistore-mgmt-send: endpoint (\S+)$/m.exec(result.stderr)?.[1] ?? '';
}

describe('defaults shared with the library', () => {
  it("endpoint: root's /run/mapistore-mgmt; another user's XDG_RUNTIME_DIR, else /tmp/mapistore-mgmt-UID", () => {
    expect(defaultEndpoint({}, 0)).toBe('ipc:///run/mapistore-mgmt/notify.sock');
    expect(defaultEndpoint({ XDG_RUNTIME_DIR: '/run/user/0' }, 0)).toBe('ipc:///run/mapistore-mgmt/notify.sock');
    expect(defaultEndpoint({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('ipc:///run/user/1000/mapistore-mgmt/notify.sock');
    expect(defaultEndpoint({}, 1000)).toBe('ipc:///tmp/mapistore-mgmt-1000/notify.sock');
    expect(defaultEndpoint({ XDG_RUNTIME_DIR: '' }, 1000)).toBe('ipc:///tmp/mapistore-mgmt-1000/notify.sock');
    expect(defaultEndpoint({ XDG_RUNTIME_DIR: `/run/${'x'.repeat(90)}` }, 1000)).toBe('ipc:///tmp/mapistore-mgmt-1000/notify.sock');
  });

  it('endpoint: the library (run as root and as nobody) chooses the same', async () => {
    for (const uid of [0, NOBODY]) {
      // The last: a runtime directory too long for a socket address under it.
      for (const env of [{}, { XDG_RUNTIME_DIR: '/run/user/4242' }, { XDG_RUNTIME_DIR: `/run/${'x'.repeat(90)}` }]) {
        expect(await libraryDefault(uid, env), `uid ${uid} ${JSON.stringify(env)}`).toBe(defaultEndpoint(env, uid));
      }
    }
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
      queueLimitMax: cDefine('src/libmapistore-mgmt/config.h', 'MM_QUEUE_LIMIT_MAX'),
      sendHwm: cDefine('src/libmapistore-mgmt/link.c', 'MM_SEND_HWM'),
      announceSilenceMs: cDefine('src/libmapistore-mgmt/state.h', 'MM_ANNOUNCE_SILENCE_MS'),
    });
    // A source that holds nothing is announced again long before its short lease could drop it.
    expect(DEFAULTS.emptyLeaseMs).toBeGreaterThanOrEqual(2 * LIBRARY_LIMITS.announceSilenceMs);
    expect(DEFAULTS.maxRegistrationsPerSource).toBeGreaterThanOrEqual(LIBRARY_LIMITS.maxTriples);
    expect(DEFAULTS.maxFrameBytes).toBeGreaterThanOrEqual(LIBRARY_LIMITS.maxFrameBytes);
    // Every interval the library accepts is leased for exactly three of itself: none flaps, none lingers.
    const lease = { defaultIntervalMs: DEFAULTS.heartbeatMs, multiplier: DEFAULTS.leaseMultiplier, minLeaseMs: DEFAULTS.minLeaseMs, maxLeaseMs: DEFAULTS.maxLeaseMs };
    for (const intervalMs of [LIBRARY_LIMITS.heartbeatMsMin, 200, 5_000, LIBRARY_LIMITS.heartbeatMsMax]) {
      expect(leaseFor(intervalMs, lease)).toBe(3 * intervalMs);
    }
  });
});
