import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultEndpoint, defaultStateDir } from '../../src/server/defaults.js';

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
});
