// SPDX-License-Identifier: GPL-3.0-or-later
// A real Dovecot 2.3 (Debian's dovecot-core) delivering offline with dovecot-lda: no daemon, run
// as an unprivileged uid with USER and HOME set, on a temporary maildir and configuration, with
// the push_notification OX driver or our Lua driver (examples/dovecot/) pointed at a notifier.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runProcess, type RunResult } from './processes.js';
import { makeTempDir } from './temp.js';

const LDA = '/usr/lib/dovecot/dovecot-lda';
const DOVEADM = '/usr/bin/doveadm';
/** nobody/nogroup: Dovecot never delivers as root. */
const UID = 65534;
export const LUA_SCRIPT = join(REPO_ROOT, 'examples', 'dovecot', 'mapistore-mgmt-newmail.lua');

export type Driver = 'ox' | 'lua';

export interface DriverTarget {
  /** The notifier's base URL, `http://HOST:PORT`. */
  httpUrl: string;
  /** The notifier's HTTP token: the OX driver sends it as its URL's password, the Lua driver reads it from a file. */
  token: string;
}

/** Fails with the line to run when Dovecot or root are missing (the tests need both). */
export function requireDovecot(): void {
  if (!existsSync(LDA) || !existsSync(DOVEADM)) throw new Error('dovecot-core is not installed: apt-get install dovecot-core (scripts/setup.mjs installs it)');
  if (process.getuid?.() !== 0) throw new Error('the Dovecot tests run dovecot-lda as uid 65534 through setpriv, which needs root');
}

function config(dir: string, driver: Driver, target: DriverTarget): string {
  const common = [`base_dir = ${join(dir, 'run')}`, 'protocols =', 'ssl = no', 'mail_location = maildir:~/Maildir', `mail_uid = ${UID}`, `mail_gid = ${UID}`, `log_path = ${join(dir, 'log', 'dovecot.log')}`];
  if (driver === 'ox') {
    const url = target.httpUrl.replace('http://', `http://dovecot:${encodeURIComponent(target.token)}@`);
    return [
      ...common,
      'mail_plugins = notify push_notification',
      // The OX driver only notifies users whose METADATA names them, and METADATA needs a dict.
      'mail_attribute_dict = file:%h/dovecot-attributes',
      `plugin {\n  push_notification_driver = ox:url=${url}/v1/newmail/ox\n}`,
    ].join('\n');
  }
  return [
    ...common,
    'mail_plugins = mail_lua notify push_notification push_notification_lua',
    `plugin {\n  push_notification_driver = lua:file=${join(dir, 'newmail.lua')}\n  mapistore_mgmt_url = ${target.httpUrl}/v1/newmail\n  mapistore_mgmt_backend = SOGo\n  mapistore_mgmt_token_file = ${join(dir, 'run', 'token')}\n}`,
  ].join('\n');
}

/** One Dovecot user's mailbox with one driver, in a private temp dir that uid 65534 can use. */
export class DovecotMailbox {
  readonly dir = makeTempDir('mm-dovecot-');
  readonly home = join(this.dir, 'home');
  private readonly configPath = join(this.dir, 'dovecot.conf');

  constructor(
    readonly user: string,
    readonly driver: Driver,
    target: DriverTarget,
  ) {
    chmodSync(this.dir, 0o755);
    mkdirSync(this.home);
    mkdirSync(join(this.dir, 'run'));
    mkdirSync(join(this.dir, 'log'));
    copyFileSync(LUA_SCRIPT, join(this.dir, 'newmail.lua'));
    writeFileSync(this.configPath, `${config(this.dir, driver, target)}\n`);
    writeFileSync(join(this.dir, 'run', 'token'), `${target.token}\n`, { mode: 0o600 });
    for (const path of [this.home, join(this.dir, 'run'), join(this.dir, 'run', 'token'), join(this.dir, 'log')]) chownSync(path, UID, UID);
  }

  private run(command: string, args: string[], input?: string): Promise<RunResult> {
    const env = { USER: this.user, HOME: this.home };
    const setpriv = ['--reuid', String(UID), '--regid', String(UID), '--clear-groups', 'env', `USER=${this.user}`, `HOME=${this.home}`, command, '-c', this.configPath, ...args];
    if (input === undefined) return runProcess('setpriv', setpriv, { env, cwd: this.dir });
    // dovecot-lda reads the message on stdin: hand it a file through the shell.
    const messagePath = join(this.dir, `message-${Date.now()}-${Math.random().toString(36).slice(2)}.eml`);
    writeFileSync(messagePath, input);
    chmodSync(messagePath, 0o644);
    return runProcess('sh', ['-c', 'exec setpriv "$@" < "$MESSAGE"', 'sh', ...setpriv], { env: { ...env, MESSAGE: messagePath }, cwd: this.dir });
  }

  /** Sets the METADATA the OX driver needs before it notifies for this mailbox (`user=` what it sends). */
  async enableOx(oxUser = this.user): Promise<void> {
    const result = await this.run(DOVEADM, ['mailbox', 'metadata', 'set', '-s', '', '/private/vendor/vendor.dovecot/http-notify', `user=${oxUser}`]);
    if (result.code !== 0) throw new Error(`doveadm metadata set failed (${result.code}): ${result.stderr}${this.log()}`);
  }

  /** Delivers one message with dovecot-lda and returns its exit status (0: saved). */
  async deliver(subject: string, from = 'Alice <alice@example.org>'): Promise<RunResult> {
    const message = `From: ${from}\nTo: ${this.user}@example.org\nSubject: ${subject}\nMessage-ID: <${Date.now()}.${Math.random()}@example.org>\n\nHello.\n`;
    return this.run(LDA, ['-f', 'alice@example.org'], message);
  }

  /** Messages saved in the INBOX (new ones). */
  savedCount(): number {
    const dir = join(this.home, 'Maildir', 'new');
    return existsSync(dir) ? readdirSync(dir).length : 0;
  }

  /** Dovecot's log so far. */
  log(): string {
    const path = join(this.dir, 'log', 'dovecot.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }
}
