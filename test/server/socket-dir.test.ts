// SPDX-License-Identifier: GPL-3.0-or-later
// The ipc socket's directory: created private, someone else's refused, stale sockets removed.
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifier } from '../support/notifier.js';
import { Pull } from 'zeromq';
import { decodeMessage } from '../../src/protocol/decode.js';
import { cleanup, CLI_ENTRY, runCli, runProcess, SEND_TOOL } from '../support/processes.js';
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
    expect(result.stderr).toMatch(/belongs to uid \d+, not to this user .*or choose another --endpoint/);
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

describe('a squatted socket directory', () => {
  const NOBODY = 65534;
  const asNobody = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

  it('is refused by the notifier when its group or others may write it, or for a --socket-mode that would allow it', async () => {
    const dir = join(makeTempDir(), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const open = await runCli(serveArgs(`ipc://${dir}/notify.sock`));
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(`the socket directory ${dir} is writable by its group or others (mode 777)`);
    const mode = await runCli([...serveArgs(`ipc://${makeTempDir()}/new/notify.sock`), '--socket-mode', '0770']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('must not be writable by its group or others');
  });

  // A user whose runtime directory others may write (as /tmp): another user made the default
  // socket directory there first and listens in it.
  it('at the default path is refused by the library (nothing sent) and by the notifier', async () => {
    const runtime = makeTempDir();
    chmodSync(runtime, 0o1777);
    const squatted = join(runtime, 'mapistore-mgmt');
    mkdirSync(squatted, { mode: 0o755 });
    chownSync(squatted, NOBODY - 1, NOBODY - 1);
    const endpoint = `ipc://${squatted}/notify.sock`;
    const squatter = new Pull();
    await squatter.bind(endpoint);
    const env = { XDG_RUNTIME_DIR: runtime };

    const sender = await runProcess('env', ['-i', `XDG_RUNTIME_DIR=${runtime}`, ...asNobody, SEND_TOOL, 'register', 'jdoe', 'SOGo', 'jdoe', 'stats']);
    expect(sender.code, sender.stderr).toBe(0);
    expect(sender.stderr).toContain(`mapistore-mgmt-send: endpoint ${endpoint}\n`);
    expect(sender.stderr).toContain(`the socket directory ${squatted} belongs to uid ${NOBODY - 1}, neither root nor this user (uid ${NOBODY})`);
    expect(sender.stderr).toContain('the library holds every message and sends none (MAPISTORE_ERR_DENIED)');
    expect(JSON.parse(sender.stdout.split('stats ')[1] ?? '')).toMatchObject({ messages_sent: 0 });

    const stateDir = makeTempDir();
    chownSync(stateDir, NOBODY, NOBODY);
    const notifier = await runProcess('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...asNobody, process.execPath, CLI_ENTRY, 'serve', '--http', '127.0.0.1:0', '--state-dir', join(stateDir, 'state')]);
    expect(notifier.code).toBe(2);
    expect(notifier.stderr).toContain(`the socket directory ${squatted} belongs to uid ${NOBODY - 1}, not to this user (uid ${NOBODY})`);
    // Once the directory is the sender's own, a second sender's frames arrive: the first ones
    // the squatter ever receives, so the refused sender sent it nothing.
    chownSync(squatted, NOBODY, NOBODY);
    chmodSync(join(squatted, 'notify.sock'), 0o666);
    const trusted = await runProcess('env', ['-i', `XDG_RUNTIME_DIR=${runtime}`, ...asNobody, SEND_TOOL, 'register', 'ann', 'SOGo', 'ann']);
    expect(trusted.stderr).not.toContain('MAPISTORE_ERR_DENIED');
    // Every message up to the second sender's register: none is from the refused one.
    const refusedPid = Number(/pid=(\d+)/.exec(sender.stdout)?.[1]);
    const pids = new Set<number>();
    for (let registered = false; !registered; ) {
      const decoded = decodeMessage(await squatter.receive(), { maxFrameBytes: 1 << 20 });
      if (!decoded.ok) throw new Error(`the squatter got a bad frame: ${decoded.reason}`);
      for (const message of decoded.messages) {
        pids.add(message.source.pid);
        registered ||= message.kind === 'register' && message.command.username === 'ann';
      }
    }
    expect(refusedPid).toBeGreaterThan(0);
    expect(pids.has(refusedPid)).toBe(false);

    squatter.close();
  });
});
