// SPDX-License-Identifier: GPL-3.0-or-later
// Section 9: new mail, from the HTTP intake (POST /v1/newmail) to a subscriber of the PUB
// socket (zeromq.js SUB decoding nothing, just timing arrival), beside a bare HTTP round trip to
// the same server (GET /healthz); and the fan-out rate: one event for a (backend, vuser) that
// many usernames hold, until the last of their notifications arrives.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { Push, Subscriber } from 'zeromq';
import { encodeHeartbeat } from '../lib/frames.mjs';
import { Notifier } from '../lib/notifier.mjs';
import { makeTempDir } from '../lib/paths.mjs';
import { percentile } from '../lib/stats.mjs';
import { waitFor } from '../lib/wait.mjs';

const SECTION = '9 new mail';
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One HTTP request over the kept-alive connection; resolves with the status once the body is read. */
function send(url, method, token, body) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const req = request(url, { method, agent, headers }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode < 300 ? resolve(response.statusCode) : reject(new Error(`${method} ${url}: ${response.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export async function run({ quick, log }) {
  const count = quick ? 100 : 2000;
  const fanOut = quick ? 100 : 1000;
  const fanOutRounds = quick ? 3 : 10;
  const dir = makeTempDir('mm-bench-newmail-');
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const publish = `ipc://${join(dir, 'newmail.sock')}`;
  const server = new Notifier({ args: ['--http-token-file', tokenFile, '--newmail-endpoint', publish] });
  await server.start();

  // One simulated source holds (SOGo, jdoe, jdoe) and `fanOut` usernames on (SOGo, shared).
  const push = new Push({ linger: 0 });
  push.connect(server.endpoint);
  const entries = [{ backend: 'SOGo', username: 'jdoe', vuser: 'jdoe', count: 1 }];
  for (let i = 0; i < fanOut; i++) entries.push({ backend: 'SOGo', username: `user${i}`, vuser: 'shared', count: 1 });
  await push.send(encodeHeartbeat({ host: 'bench-newmail', pid: 4242, epoch: 1n }, 1, 3_600_000, entries));
  await waitFor('the registrations', async () => (await server.status()).sizes.registrations === entries.length);

  const sub = new Subscriber({ linger: 0, receiveHighWaterMark: 0 });
  sub.connect(publish);
  sub.subscribe();
  await waitFor('the subscription', async () => (await server.metric('mapistore_mgmt_newmail_subscriptions')) === 1);

  const newmail = `${server.url}/v1/newmail`;
  const event = (vuser, i) => ({ backend: 'SOGo', vuser, folder: 'INBOX', messageId: i, uidValidity: 1, subject: 'bench' });
  for (let i = 0; i < 50; i++) {
    await send(newmail, 'POST', token, event('jdoe', i));
    await sub.receive();
  }

  const intake = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const answered = send(newmail, 'POST', token, event('jdoe', i));
    await sub.receive();
    intake.push((performance.now() - t0) * 1e6);
    await answered;
  }
  const bare = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await send(`${server.url}/healthz`, 'GET');
    bare.push((performance.now() - t0) * 1e6);
  }
  log(`  intake to subscriber p50 ${(percentile(intake, 50) / 1e3).toFixed(0)} µs, bare round trip p50 ${(percentile(bare, 50) / 1e3).toFixed(0)} µs`);

  const rates = [];
  for (let round = 0; round < fanOutRounds; round++) {
    const t0 = performance.now();
    const answered = send(newmail, 'POST', token, event('shared', round));
    for (let i = 0; i < fanOut; i++) await sub.receive();
    rates.push(fanOut / ((performance.now() - t0) / 1000));
    await answered;
  }
  rates.sort((a, b) => a - b);
  sub.close();
  push.close();
  await server.stop();

  return [
    { section: SECTION, measure: 'POST /v1/newmail to a subscriber, p50', value: percentile(intake, 50), unit: 'ns', vs: [{ label: 'GET /healthz round trip', value: percentile(bare, 50) }], note: `${count} sequential events, one registered username each; zeromq.js SUB on ipc` },
    { section: SECTION, measure: 'POST /v1/newmail to a subscriber, p99', value: percentile(intake, 99), unit: 'ns', vs: [{ label: 'GET /healthz round trip', value: percentile(bare, 99) }], note: '' },
    { section: SECTION, measure: `fan-out: one event, ${fanOut} usernames`, value: rates[Math.floor(rates.length / 2)], unit: 'msg/s', vs: [], note: `median of ${fanOutRounds} rounds, request start to the last notification received` },
  ];
}
