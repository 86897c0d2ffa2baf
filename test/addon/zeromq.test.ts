// SPDX-License-Identifier: GPL-3.0-or-later
// The addon in the same process as zeromq.js: two copies of libzmq (the system one the C
// library links, the one zeromq.js bundles) meet over ipc://. A zeromq.js PULL receives
// and decodes, with the team's decoder, every frame the addon's registrations produce.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Pull } from 'zeromq';
import { configure, registerUser, shutdown, stats, unregisterUser } from '../../src/index.js';
import { decodeMessage } from '../../src/protocol/decode.js';
import type { Kind, Message } from '../../src/protocol/types.js';
import { makeTempDir, removeTempDirs } from '../support/temp.js';

const pull = new Pull({ receiveTimeout: 10_000 });
const received: Message[] = [];

/** Messages of a batch received but not yet looked at by next(). */
const pending: Message[] = [];

/** Receives until a message of `kind` arrives (each receive bounded by receiveTimeout). */
async function next<K extends Kind>(kind: K): Promise<Extract<Message, { kind: K }>> {
  for (;;) {
    if (pending.length === 0) {
      const decoded = decodeMessage(await pull.receive(), { maxFrameBytes: 65_536 });
      if (!decoded.ok) throw new Error(`undecodable frame: ${decoded.reason} (${decoded.detail})`);
      pending.push(...decoded.messages);
    }
    const message = pending.shift() as Message;
    received.push(message);
    if (message.kind === kind) return message as Extract<Message, { kind: K }>;
  }
}

beforeAll(async () => {
  const endpoint = `ipc://${join(makeTempDir('mm-addon-zmq-'), 'pull.sock')}`;
  await pull.bind(endpoint);
  configure({ endpoint, heartbeatMs: 100 });
});

afterAll(() => {
  pull.close();
  removeTempDirs();
});

it('a zeromq.js PULL receives the register, heartbeat, unregister and goodbye the addon sends', async () => {
  const guid = '00112233-4455-6677-8899-aabbccddeeff';
  expect(registerUser({ username: 'jdoe', replicaGuid: guid.toUpperCase(), replId: 513 }, 'SOGo', 'jdoe@example.org')).toBe(true);
  const register = await next('register');
  const epoch = stats().epoch.toString(16).padStart(16, '0');
  expect(register.source).toMatchObject({ pid: process.pid, epoch });
  // The source's first message announces its interval: an empty snapshot.
  expect(received[0]).toMatchObject({ kind: 'heartbeat', seq: 1, intervalMs: 100, entries: [] });
  expect(register.seq).toBe(2);
  expect(register.command).toEqual({ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe@example.org', replicaGuid: guid, replId: 513 });

  expect(registerUser({ username: 'Zoë 😀' }, 'SOGo', 'Zoë 😀')).toBe(true);
  const unicode = await next('register');
  expect(unicode.command).toEqual({
    backend: 'SOGo', username: 'Zoë 😀', vuser: 'Zoë 😀', replicaGuid: '00000000-0000-0000-0000-000000000000', replId: 0,
  });

  const heartbeat = await next('heartbeat');
  expect(heartbeat.intervalMs).toBe(100);
  expect(heartbeat.dropped).toBe(0n);
  expect(heartbeat.entries.map(({ username, count }) => ({ username, count })).sort((a, b) => a.username.localeCompare(b.username)))
    .toEqual([{ username: 'jdoe', count: 1 }, { username: 'Zoë 😀', count: 1 }]);

  expect(unregisterUser({ username: 'jdoe' }, 'SOGo', 'jdoe@example.org')).toBe(true);
  const unregister = await next('unregister');
  expect(unregister.command).toMatchObject({ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe@example.org' });

  shutdown();
  const goodbye = await next('goodbye');
  expect(goodbye.source).toEqual(register.source);

  // One source, in order, without a gap: seq counts every frame from 1.
  expect(received.map((message) => message.seq)).toEqual(received.map((_, index) => index + 1));
  expect(received.every((message) => message.source.epoch === epoch)).toBe(true);
});
