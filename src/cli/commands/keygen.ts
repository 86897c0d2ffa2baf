// SPDX-License-Identifier: GPL-3.0-or-later
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { curveKeyPair } from 'zeromq';
import { CliError } from '../http-client.js';

/** Creates `path` with `mode`, refusing to replace anything (a symbolic link included). */
function writeNew(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(`cannot create ${path} (${code}): keygen never replaces a file; remove it or choose another name.`, code === 'EEXIST' ? 2 : 1);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export function addKeygenCommand(program: Command): void {
  program
    .command('keygen')
    .description('write a CURVE keypair for tcp: NAME.key (the secret key, mode 0600) and NAME.pub (the public key, to list in --curve-allow or give to senders)')
    .argument('<name>', 'path of the files without extension, for example /etc/mapistore-mgmt/notifier')
    .action((name: string) => {
      const { publicKey, secretKey } = curveKeyPair();
      writeNew(`${name}.key`, `${secretKey}\n`, 0o600);
      writeNew(`${name}.pub`, `${publicKey}\n`, 0o644);
      process.stdout.write(`wrote ${name}.key (secret, 0600) and ${name}.pub: ${publicKey}\n`);
    });
}
