// SPDX-License-Identifier: GPL-3.0-or-later
// PUT /v1/newmail/ox: the OX driver's request, its user mapped by --ox-backend and --ox-vuser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapOxUser, templateProblem } from '../../src/newmail/ox-mapping.js';
import { NotificationSubscriber, metricValue, waitForSubscriptions } from '../support/newmail.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { cleanup, runCli, spawnSender } from '../support/processes.js';
import { makeTokenFile } from '../support/temp.js';
import { waitForHolding } from '../support/senders.js';

describe('the OX user mapping rule', () => {
  it.each([
    ['%u', 'jdoe@example.org', 'jdoe@example.org'],
    ['%n', 'jdoe@example.org', 'jdoe'],
    ['%d/%n', 'jdoe@example.org', 'example.org/jdoe'],
    ['%n', 'jdoe', 'jdoe'],
    ['100%%-%n', 'jdoe', '100%-jdoe'],
  ])('%s maps %s to vuser %s', (template, user, vuser) => {
    expect(templateProblem(template)).toBeUndefined();
    expect(mapOxUser('SOGo', template, user)).toEqual({ backend: 'SOGo', vuser });
  });

  it.each([
    ['%x', /unknown variable %x/],
    ['jdoe', /uses no variable/],
    ['%%', /uses no variable/],
    ['%n%', /unknown variable %/],
  ])('refuses the template %s', (template, problem) => {
    expect(templateProblem(template)).toMatch(problem);
  });

  it.each([
    [['--ox-vuser', '%x'], /--ox-vuser.*unknown variable %x/],
    [['--newmail-endpoint', 'tcp://127.0.0.1:5555'], /--newmail-endpoint.*expected ipc:\/\/ABSOLUTE-PATH/],
    [['--newmail-backends', 'SOGo,,Kolab'], /--newmail-backends.*names of 1 to 255 bytes/],
  ])('serve %j stops with exit 2 and says what to fix', async (args, message) => {
    const result = await runCli(['serve', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('PUT /v1/newmail/ox', () => {
  let notifier: RunningNotifier;
  let subscriber: NotificationSubscriber;
  const { path: tokenFile, token } = makeTokenFile();
  /** HTTP Basic credentials as the OX driver sends them from its URL: the token is the password. */
  const basic = (password: string) => `Basic ${Buffer.from(`dovecot:${password}`).toString('base64')}`;
  const ox = (body: unknown, authorization = basic(token)) =>
    fetch(`${notifier.httpUrl}/v1/newmail/ox`, { method: 'PUT', headers: { 'content-type': 'application/json; charset=utf-8', authorization }, body: JSON.stringify(body) });
  // As Dovecot 2.3's OX driver sends it.
  const request = { user: 'jdoe@example.org', event: 'messageNew', folder: 'INBOX', 'imap-uidvalidity': 1764576000, 'imap-uid': 12, from: 'alice@example.org', subject: 'Lunch?', snippet: 'Hi', unseen: 1 };

  beforeAll(async () => {
    notifier = await startNotifier({ args: ['--ox-backend', 'OpenChange', '--ox-vuser', '%n', '--http-token-file', tokenFile] });
    const sender = spawnSender(['register jdoe OpenChange jdoe', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 200 });
    await waitForHolding(sender);
    await notifier.waitFor('jdoe registered', async (n) => (await n.users()).length === 1);
    subscriber = new NotificationSubscriber(notifier.publish);
    subscriber.subscribe('jdoe');
    await waitForSubscriptions(notifier, 1);
  });

  afterAll(async () => {
    await subscriber?.close();
    await cleanup();
  });

  it("maps the driver's user by the configured rule and notifies who holds the result", async () => {
    const response = await ox(request);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [{ backend: 'OpenChange', vuser: 'jdoe', result: 'delivered', usernames: ['jdoe'] }] });
    const [received] = await subscriber.waitForCount(1);
    expect(received?.notification).toEqual({
      backend: 'OpenChange', username: 'jdoe', vuser: 'jdoe', folder: 'INBOX', messageId: '12', uidValidity: 1764576000, sender: 'alice@example.org', subject: 'Lunch?',
    });
  });

  it('refuses Basic credentials whose password is not the token (401), and publishes nothing', async () => {
    const published = await metricValue(notifier, 'mapistore_mgmt_newmail_notifications_total');
    expect((await ox(request, basic('wrong-password-here'))).status).toBe(401);
    expect((await ox(request, `Basic ${Buffer.from(token).toString('base64')}`)).status).toBe(401); // no user:password
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_notifications_total')).toBe(published);
  });

  it('shortens an over-long subject on a character boundary rather than losing the mail', async () => {
    const before = subscriber.received.length;
    expect((await ox({ ...request, subject: `x${'é'.repeat(40_000)}` })).status).toBe(200);
    const [received] = (await subscriber.waitForCount(before + 1)).slice(before);
    expect(Buffer.byteLength(received?.notification.subject ?? '')).toBe(65_535);
  });

  it.each([
    ['another event', { ...request, event: 'messageRead' }, /"event" must be equal to constant/],
    ['no imap-uid', { ...request, 'imap-uid': undefined }, /missing field "imap-uid"/],
    ['a user that maps to an empty vuser', { ...request, user: '@example.org' }, /the vuser "" mapped from user "@example.org" \(--ox-vuser\) is empty/],
  ])('rejects %s (400 invalid-event, counted)', async (_what, body, message) => {
    const counted = await metricValue(notifier, 'mapistore_mgmt_newmail_rejections_total', { intake: 'ox', reason: 'invalid-event' });
    const response = await ox(body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('invalid-event');
    expect(answer.message).toMatch(message);
    expect(await metricValue(notifier, 'mapistore_mgmt_newmail_rejections_total', { intake: 'ox', reason: 'invalid-event' })).toBe(counted + 1);
  });
});
