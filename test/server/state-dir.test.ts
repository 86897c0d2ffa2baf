// SPDX-License-Identifier: GPL-3.0-or-later
// The state directory must be the notifier's own: one others may write could have the state
// file or its temporary file swapped under a (root) notifier.
import { chmodSync, chownSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, runCli } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

afterEach(cleanup);

function serve(stateDir: string) {
  return runCli(['serve', '--endpoint', `ipc://${makeTempDir()}/n.sock`, '--http', '127.0.0.1:0', '--state-dir', stateDir]);
}

describe('the state directory', () => {
  it('is refused when its group or others may write it, when it is another user\'s, or a symbolic link (exit 2)', async () => {
    const open = join(makeTempDir(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o1777);
    const openResult = await serve(open);
    expect(openResult.code).toBe(2);
    expect(openResult.stderr).toContain(`the state directory ${open} is writable by its group or others (mode 1777): chmod go-w it`);

    const theirs = join(makeTempDir(), 'theirs');
    mkdirSync(theirs);
    chownSync(theirs, 65534, 65534);
    const theirsResult = await serve(theirs);
    expect(theirsResult.code).toBe(2);
    expect(theirsResult.stderr).toContain(`the state directory ${theirs} belongs to uid 65534, not to this user`);

    const link = join(makeTempDir(), 'link');
    symlinkSync(makeTempDir(), link);
    const linkResult = await serve(link);
    expect(linkResult.code).toBe(2);
    expect(linkResult.stderr).toContain(`the state directory ${link} is not a directory (a symbolic link is not followed)`);
  });
});
