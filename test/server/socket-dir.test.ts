// The ipc socket's directory: created private, someone else's refused, stale sockets removed.
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { cleanup, runCli } from '../support/processes.js';
import { makeTempDir } from '../support/temp.js';

afterEach(cleanup);

function serveArgs(endpoint: string): string[] {
  return ['serve', '--endpoint', endpoint, '--http', '127.0.0.1:0', '--state-dir', join(makeTempDir(), 'state')];
}

describe('the ipc socket directory', () => {
  it('is created with mode 0750 by default, or the mode asked for', async () => {
    const base = makeTempDir();
    const first = await startNotifier({ endpoint: `ipc://${base}/default/notify.sock` });
    expect(statSync(`${base}/default`).mode & 0o777).toBe(0o750);
    const second = await startNotifier({ endpoint: `ipc://${base}/strict/notify.sock`, args: ['--socket-mode', '0700'] });
    expect(statSync(`${base}/strict`).mode & 0o777).toBe(0o700);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('gets the socket group, and the socket file lets that group connect (0660)', async () => {
    const base = makeTempDir();
    const gid = process.getgid?.() ?? 0;
    const notifier = await startNotifier({ endpoint: `ipc://${base}/grouped/notify.sock`, args: ['--socket-group', String(gid)] });
    expect(statSync(`${base}/grouped`).gid).toBe(gid);
    const socket = statSync(`${base}/grouped/notify.sock`);
    expect([socket.mode & 0o777, socket.gid]).toEqual([0o660, gid]);
    await notifier.stop();
    const unknown = await runCli([...serveArgs(`ipc://${base}/other/notify.sock`), '--socket-group', 'no-such-group-mm']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('socket group "no-such-group-mm" does not exist');
  });

  it("is refused when it belongs to another user, with a message that says what to do", async () => {
    // As root, a directory given to nobody; otherwise "/" (root's) is someone else's.
    let dir = '/';
    if (process.getuid?.() === 0) {
      dir = join(makeTempDir(), 'theirs');
      mkdirSync(dir);
      chownSync(dir, 65534, 65534);
    }
    const result = await runCli(serveArgs(`ipc://${join(dir, 'notify.sock')}`));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/belongs to uid \d+, not to this user .*choose an --endpoint/);
  });

  it('is refused with a message, not a stack trace, when it cannot be made', async () => {
    const file = join(makeTempDir(), 'a-file');
    writeFileSync(file, '');
    const result = await runCli(serveArgs(`ipc://${file}/sub/notify.sock`));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`mapistore-mgmt: cannot prepare the socket directory ${file}/sub (ENOTDIR): choose another --endpoint or fix its permissions.\n`);
  });

  it('removes a stale socket left by kill -9, and refuses a socket another notifier serves', async () => {
    const notifier = await startNotifier();
    const busy = await runCli(serveArgs(notifier.endpoint));
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain('another process is already serving');

    await notifier.kill9();
    await notifier.restart();
    expect(notifier.logs().some((line) => line.msg === 'removed a stale socket file')).toBe(true);
  });
});
