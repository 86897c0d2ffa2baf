// SPDX-License-Identifier: GPL-3.0-or-later
// The public API from TypeScript: argument checks (TypeError before C), each C error code
// reachable from JavaScript (MapistoreError), and what a call records. Nothing listens on the
// endpoint: every assertion is about this process's own state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MapistoreError,
  configure,
  errorName,
  registerUser,
  shutdown,
  stats,
  unregisterUser,
  version,
} from '../../src/index.js';
import { REPO_ROOT } from '../support/processes.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

const jdoe = { username: 'jdoe' };

beforeAll(() => {
  configure({ endpoint: `ipc://${join(makeTempDir('mm-addon-api-'), 'nobody.sock')}` });
});

afterAll(() => {
  shutdown();
  removeTempDirs();
});

/** Runs `call`, expecting a MapistoreError with `code`, and that nothing was recorded. */
function expectRefused(call: () => unknown, code: string): MapistoreError {
  const before = stats().registrationsHeld;
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MapistoreError);
  const error = caught as MapistoreError;
  expect(error.code).toBe(code);
  expect(error.name).toBe('MapistoreError');
  expect(errorName(error.errno)).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  expect(stats().registrationsHeld).toBe(before);
  return error;
}

describe('version and error names', () => {
  it('reports the library version, the package version', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version()).toBe(pkg.version);
  });

  it('names return codes and knows when it does not', () => {
    expect(errorName(0)).toBe('MAPISTORE_SUCCESS');
    expect(errorName(6)).toBe('MAPISTORE_ERR_INVALID_PARAMETER');
    expect(errorName(19)).toBe('MAPISTORE_ERR_MSG_SEND');
    expect(errorName(1000)).toBeUndefined();
    expect(() => errorName(1.5)).toThrow(TypeError);
    expect(() => errorName('6' as unknown as number)).toThrow(TypeError);
  });
});

describe('registerUser and unregisterUser', () => {
  it('record and release a registration', () => {
    const before = stats();
    expect(registerUser({ username: 'jdoe', replicaGuid: '00112233-4455-6677-8899-AABBCCDDEEFF', replId: 65535 }, 'SOGo', 'jdoe')).toBe(true);
    expect(registerUser(jdoe, 'SOGo', 'jdoe')).toBe(true);
    const held = stats();
    expect(held.registrationsHeld).toBe(before.registrationsHeld + 2);
    expect(held.triplesHeld).toBe(before.triplesHeld + 1);
    expect(held.pid).toBe(process.pid);
    expect(held.epoch).not.toBe(0n);
    expect(unregisterUser(jdoe, 'SOGo', 'jdoe')).toBe(true);
    expect(unregisterUser(jdoe, 'SOGo', 'jdoe')).toBe(true);
    expect(stats().registrationsHeld).toBe(before.registrationsHeld);
  });

  it('accept strings up to 255 bytes of UTF-8, characters outside the BMP included', () => {
    const before = stats().registrationsHeld;
    for (const text of ['x'.repeat(255), `${'é'.repeat(127)}x`, '😀'.repeat(63), 'Ünïcødé 用户']) {
      expect(registerUser({ username: text }, text, text)).toBe(true);
      expect(unregisterUser({ username: text }, text, text)).toBe(true);
    }
    expect(stats().registrationsHeld).toBe(before);
  });

  it.each([
    ['a connection info that is not an object', null, 'SOGo', 'jdoe'],
    ['a missing username', {}, 'SOGo', 'jdoe'],
    ['a username that is not a string', { username: 42 }, 'SOGo', 'jdoe'],
    ['an unknown connection info key', { username: 'jdoe', replid: 1 }, 'SOGo', 'jdoe'],
    ['a GUID that is not text', { username: 'jdoe', replicaGuid: 7 }, 'SOGo', 'jdoe'],
    ['a GUID without its dashes', { username: 'jdoe', replicaGuid: '00112233445566778899aabbccddeeff' }, 'SOGo', 'jdoe'],
    ['a GUID with a digit missing', { username: 'jdoe', replicaGuid: '00112233-4455-6677-8899-aabbccddeef' }, 'SOGo', 'jdoe'],
    ['a GUID that is not hex', { username: 'jdoe', replicaGuid: '0011223g-4455-6677-8899-aabbccddeeff' }, 'SOGo', 'jdoe'],
    ['a replId that is not an integer', { username: 'jdoe', replId: 1.5 }, 'SOGo', 'jdoe'],
    ['a replId below 0', { username: 'jdoe', replId: -1 }, 'SOGo', 'jdoe'],
    ['a replId above 65535', { username: 'jdoe', replId: 65536 }, 'SOGo', 'jdoe'],
    ['a replId as text', { username: 'jdoe', replId: '1' }, 'SOGo', 'jdoe'],
    ['a backend that is not a string', jdoe, 1, 'jdoe'],
    ['a missing vuser', jdoe, 'SOGo', undefined],
  ])('throw a TypeError for %s and record nothing', (_what, connInfo, backend, vuser) => {
    const before = stats();
    for (const call of [registerUser, unregisterUser]) {
      expect(() => call(connInfo as never, backend as never, vuser as never)).toThrow(TypeError);
    }
    const after = stats();
    expect(after.registrationsHeld).toBe(before.registrationsHeld);
    expect(after.lastError).toBe(before.lastError);
  });

  it.each([
    ['an empty username', { username: '' }, 'SOGo', 'jdoe'],
    ['an empty backend', jdoe, '', 'jdoe'],
    ['an empty vuser', jdoe, 'SOGo', ''],
    ['a 256-byte ASCII string', jdoe, 'x'.repeat(256), 'jdoe'],
    ['a 256-byte string of 2-byte characters', { username: 'é'.repeat(128) }, 'SOGo', 'jdoe'],
    ['a lone high surrogate', { username: 'j\uD800doe' }, 'SOGo', 'jdoe'],
    ['a lone low surrogate at the end', jdoe, 'SOGo', 'jdoe\uDC00'],
    ['surrogates in the wrong order', jdoe, '\uDE00\uD83D', 'jdoe'],
    ['a NUL character', jdoe, 'SOGo', 'jd\u0000oe'],
  ])('return MAPISTORE_ERR_INVALID_PARAMETER from C for %s', (_what, connInfo, backend, vuser) => {
    for (const call of [registerUser, unregisterUser]) {
      const error = expectRefused(() => call(connInfo, backend, vuser), 'MAPISTORE_ERR_INVALID_PARAMETER');
      expect(error.errno).toBe(6);
      expect(stats().lastError).toBe(6);
    }
  });
});

describe('configure', () => {
  it.each([
    ['no options object', null],
    ['an unknown key', { endpoint: 'ipc:///tmp/x.sock', heartbeatMS: 100 }],
    ['an endpoint that is not a string', { endpoint: 5 }],
    ['a heartbeat of 0', { heartbeatMs: 0 }],
    ['a fractional heartbeat', { heartbeatMs: 100.5 }],
    ['a heartbeat as text', { heartbeatMs: '100' }],
    ['a negative queue limit', { queueLimit: -1 }],
    ['a linger beyond 32 bits', { lingerMs: 2 ** 32 }],
    ['batching as a number', { batching: 0 }],
  ])('throws a TypeError for %s', (_what, options) => {
    expect(() => configure(options as never)).toThrow(TypeError);
  });

  it.each([
    ['an empty endpoint', { endpoint: '' }],
    ['an inproc endpoint', { endpoint: 'inproc://mapistore' }],
    ['an http URL', { endpoint: 'http://localhost:8080' }],
    ['an ipc path too long for a socket address', { endpoint: `ipc:///tmp/${'x'.repeat(200)}.sock` }],
    ['a heartbeat under the library minimum', { heartbeatMs: 9 }],
    ['a heartbeat over the library maximum', { heartbeatMs: 100_001 }],
    ['a queue limit over ten million', { queueLimit: 10_000_001 }],
    ['a linger over a minute', { lingerMs: 60_001 }],
    ['a triple limit over ten million', { maxTriples: 10_000_001 }],
  ])('refuses %s with MAPISTORE_ERR_INVALID_PARAMETER', (_what, options) => {
    expectRefused(() => configure(options), 'MAPISTORE_ERR_INVALID_PARAMETER');
  });

  it('accepts no changes and every option at once', () => {
    expect(() => configure({})).not.toThrow();
    const endpoint = `tcp://127.0.0.1:1`;
    expect(() => configure({ endpoint, heartbeatMs: 1000, queueLimit: 100, lingerMs: 50, maxTriples: 20_000, batching: false })).not.toThrow();
    configure({ endpoint: `ipc://${join(makeTempDir('mm-addon-api-'), 'nobody.sock')}` });
  });
});

describe('stats and shutdown', () => {
  it('count in numbers, the epoch in a BigInt', () => {
    const counters = stats();
    for (const key of ['messagesSent', 'messagesDropped', 'heartbeatsSent', 'registrationsHeld', 'triplesHeld', 'queueLength', 'pid', 'lastError', 'descriptorShortages', 'contextsLost', 'triplesRefused', 'connections'] as const) {
      expect(Number.isSafeInteger(counters[key])).toBe(true);
    }
    expect(typeof counters.epoch).toBe('bigint');
  });

  it('shutdown forgets held registrations; the next call starts a new source', () => {
    registerUser(jdoe, 'SOGo', 'jdoe');
    const { epoch } = stats();
    expect(stats().registrationsHeld).toBeGreaterThan(0);
    shutdown();
    expect(stats().registrationsHeld).toBe(0);
    registerUser(jdoe, 'SOGo', 'jdoe');
    const after = stats();
    expect(after.registrationsHeld).toBe(1);
    expect(after.epoch).not.toBe(epoch);
    unregisterUser(jdoe, 'SOGo', 'jdoe');
  });
});
