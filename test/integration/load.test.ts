// SPDX-License-Identifier: GPL-3.0-or-later
// The notifier under pressure: floods of big heartbeats, slow change-stream readers, more
// subscribers than allowed, and paging through a table that changes meanwhile. Every bound
// here is a hang guard, far above what the notifier needs; speed is measured in bench/ only.
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/cli/sse.js';
import type { ChangeEvent, UserEntry, UsersPage } from '../../src/server/api-types.js';
import { HeartbeatFlood } from '../support/flood.js';
import { startNotifier, type RunningNotifier } from '../support/notifier.js';
import { join } from 'node:path';
import { cleanup, REPO_ROOT, runCli, spawnProcess, spawnSender } from '../support/processes.js';
import { closePushSockets, connectPush, FakeSource } from '../support/push.js';
import { senderKey, waitForHolding } from '../support/senders.js';
import { waitFor } from '../support/wait.js';

afterEach(async () => {
  closePushSockets();
  await cleanup();
});

/** The C benchmark backend that registers and unregisters one triple as fast as it can. */
const FLOOD_TOOL = join(REPO_ROOT, 'build', 'bin', 'bench-flood');

/** Far above the few milliseconds /healthz needs: it only catches a notifier that stops answering. */
const HEALTH_BOUND_MS = 3_000;

/** Asks /healthz again and again until stopped, keeping every failure (an error, a status, a timeout). */
class HealthProbe {
  answers = 0;
  readonly failures: string[] = [];
  private stopping = false;
  private running: Promise<void> | undefined;

  constructor(private readonly httpUrl: string) {}

  start(): void {
    this.running = (async () => {
      while (!this.stopping) {
        try {
          const response = await fetch(`${this.httpUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_BOUND_MS) });
          if (response.ok) this.answers++;
          else this.failures.push(`status ${response.status}`);
          await response.arrayBuffer();
        } catch (error) {
          this.failures.push(String(error));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}

/** Follows the change stream, collecting its events until the test ends. */
async function followEvents(notifier: RunningNotifier): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  const response = await fetch(`${notifier.httpUrl}/v1/events`);
  expect(response.status).toBe(200);
  void (async () => {
    for await (const { data } of readEvents(response.body as ReadableStream<Uint8Array>)) events.push(JSON.parse(data) as ChangeEvent);
  })().catch(() => undefined); // ends with the notifier
  await notifier.waitFor('the subscription', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 1'));
  return events;
}

async function metric(notifier: RunningNotifier, name: string): Promise<number> {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(await notifier.metrics());
  if (!match) throw new Error(`no metric ${name}`);
  return Number(match[1]);
}

describe('under load', () => {
  it('a flood of 10 000-entry heartbeats leaves /healthz answering, and a killed sender still expires', { timeout: 180_000 }, async () => {
    // Small queues on both sides: the flood waits in them rather than in this process's memory.
    const notifier = await startNotifier({ args: ['--min-lease-ms', '500', '--receive-hwm', '4'] });
    const victim = spawnSender(['register victim SOGo victim', 'hold'], { endpoint: notifier.endpoint, heartbeatMs: 500 });
    await waitForHolding(victim);
    await notifier.waitForUsers([{ backend: 'SOGo', username: 'victim', vuser: 'victim', count: 1 }]);

    const flood = new HeartbeatFlood(notifier.endpoint, { sources: 2, entries: 10_000 });
    flood.start();
    const health = new HealthProbe(notifier.httpUrl);
    health.start();
    await notifier.waitFor(
      'flood heartbeats taken in',
      async (n) => (await n.sources()).filter((s) => s.host === 'flood.example.org' && BigInt(s.lastSeq) >= 3n).length === 2,
      { timeoutMs: 60_000 },
    );
    // Followed from now on: the flood's first snapshots registered 10 000 triples at once, more
    // than a stream may fall behind by.
    const events = await followEvents(notifier);

    const victimKey = await senderKey(victim);
    await victim.kill9(); // lease 1.5 s
    const sentAtKill = flood.sent;
    // Only what follows the kill counts: on a starved machine the notifier may read a live
    // sender's heartbeats so seldom that its short lease runs out, and its next one brings it back.
    const eventsAtKill = events.length;
    await waitFor('the killed sender to expire', () => events.slice(eventsAtKill).some((e) => e.kind === 'unregistered' && e.username === 'victim'), { timeoutMs: 60_000 });
    // The notifier kept taking the flood in all along: the sender blocks on a full queue otherwise.
    expect(flood.sent).toBeGreaterThan(sentAtKill);
    await flood.stop();
    await health.stop();

    expect(health.failures).toEqual([]);
    expect(health.answers).toBeGreaterThan(0);
    expect((await notifier.sources()).map((source) => source.key)).not.toContain(victimKey);
    expect(await metric(notifier, 'mapistore_mgmt_expiry_delay_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric(notifier, 'mapistore_mgmt_received_bytes_total')).toBeGreaterThan(3 * flood.frameBytes);
  });

  it('300 change-stream clients that never read, during a register flood: 100 followed, 200 refused, memory bounded', { timeout: 300_000 }, async () => {
    const notifier = await startNotifier({ endpoint: 'tcp://127.0.0.1:0', args: ['--insecure-plain-tcp'] });
    const rssBefore = await metric(notifier, 'process_resident_memory_bytes');
    const { port } = new URL(notifier.httpUrl);
    const statuses: number[] = [];
    const sockets: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined); // the notifier cuts the slow ones
      // The status line, then never another byte read.
      socket.once('data', (chunk: Buffer) => {
        statuses.push(Number(chunk.toString('latin1').split(' ')[1]));
        socket.pause();
      });
      socket.write('GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      sockets.push(socket);
    }
    await waitFor('every client answered', () => statuses.length === 300, { timeoutMs: 60_000 });
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 503)).toHaveLength(200);
    expect(await metric(notifier, 'mapistore_mgmt_event_subscribers_refused_total')).toBe(200);

    const health = new HealthProbe(notifier.httpUrl);
    health.start();
    // A real backend process registering and unregistering one triple as fast as it can: two
    // change events a round. Over tcp its goodbye at exit is never lost, and it comes last.
    // Floods follow one another until the readers that never read have fallen behind by more
    // than a stream may and been cut: how much the kernel buffers for them first varies.
    const everyNonReaderCut = async () => (await notifier.metrics()).includes('mapistore_mgmt_event_subscribers 0');
    let peakRss = rssBefore;
    let floods = 0;
    do {
      const flood = spawnProcess(FLOOD_TOOL, [notifier.endpoint, '100000'], { label: 'bench-flood' });
      // Memory is sampled while the flood runs (a sampling period, not a wait for anything).
      while (flood.running) {
        peakRss = Math.max(peakRss, await metric(notifier, 'process_resident_memory_bytes'));
        await Promise.race([flood.exited, delay(200)]);
      }
      expect((await flood.exited).code).toBe(0);
      // Every change event of the flood has been published (and a client cut, if it fell that far behind).
      await notifier.waitFor('the flood taken in, up to the goodbye', async (n) => (await n.status()).sizes.sources === 0, { timeoutMs: 120_000 });
      floods++;
    } while (!(await everyNonReaderCut()) && floods < 10);
    expect((await notifier.status()).counters.messages.register?.applied).toBeGreaterThan(1_000);
    expect(await everyNonReaderCut()).toBe(true);
    expect(await metric(notifier, 'mapistore_mgmt_event_subscribers_cut_total')).toBe(100);
    peakRss = Math.max(peakRss, await metric(notifier, 'process_resident_memory_bytes'));
    await health.stop();
    for (const socket of sockets) socket.destroy();

    expect(health.failures).toEqual([]);
    expect(peakRss - rssBefore).toBeLessThan(300 * 2 ** 20);
  });

  it('refuses a change-stream client past --max-event-subscribers with a 503 that says why', async () => {
    const notifier = await startNotifier({ args: ['--max-event-subscribers', '2'] });
    const first = new AbortController();
    const open = async (signal?: AbortSignal) => fetch(`${notifier.httpUrl}/v1/events`, { signal });
    expect((await open(first.signal)).status).toBe(200);
    expect((await open(new AbortController().signal)).status).toBe(200);
    await notifier.waitFor('2 subscribers', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 2'));

    const refused = await open();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: 'too-many-subscribers',
      message: '2 clients already follow the change stream (--max-event-subscribers); try again later',
    });
    expect(await metric(notifier, 'mapistore_mgmt_event_subscribers_refused_total')).toBe(1);
    expect(notifier.logs().some((line) => line.msg === 'refused a change-stream client: too many follow already')).toBe(true);

    first.abort();
    await notifier.waitFor('a place freed', async (n) => (await n.metrics()).includes('mapistore_mgmt_event_subscribers 1'));
    expect((await open(new AbortController().signal)).status).toBe(200);
  });

  it('pages through a changing table: every entry present throughout comes exactly once', { timeout: 120_000 }, async () => {
    const notifier = await startNotifier({ heartbeatMs: 60_000 });
    const push = connectPush(notifier.endpoint);
    const STABLE = 3_000;
    const stable = Array.from({ length: STABLE }, (_, i) => `u${String(i).padStart(5, '0')}`);
    await new FakeSource(push, 'stable.example.org', 1).heartbeat(60_000, stable.map((name) => ['SOGo', name, name, 1]));
    await notifier.waitFor('the stable entries', async (n) => (await n.status()).sizes.users === STABLE);

    // Between pages, churn adds entries before and after the cursor, and removes earlier ones.
    const churn = new FakeSource(push, 'churn.example.org', 2);
    let applied = 0;
    const early = (round: number) => `u${String((round * 37) % STABLE).padStart(5, '0')}-churn${round}`;
    const change = async (round: number) => {
      const late = `u${String((round * 53 + 1500) % STABLE).padStart(5, '0')}-churn${round}`;
      await churn.register('SOGo', early(round), early(round));
      await churn.register('SOGo', late, late);
      if (round > 0) await churn.unregister('SOGo', early(round - 1), early(round - 1));
      applied += 2;
      const want = applied;
      await notifier.waitFor('the churn applied', async (n) => (await n.status()).counters.messages.register?.applied === want);
    };

    const seen: UserEntry[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const page: UsersPage = await notifier.get(`/v1/users?limit=97${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...page.users);
      cursor = page.next;
      await change(round++);
    } while (cursor !== null);

    const keys = seen.map((u) => `${u.backend}/${u.username}/${u.vuser}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const name of stable) expect(keys.filter((key) => key === `SOGo/${name}/${name}`), name).toHaveLength(1);
    expect(round).toBeGreaterThan(STABLE / 97);

    // The CLI follows every page (more than the largest page) to print the whole table.
    const all = await notifier.users();
    const printed = await runCli(['users', '--json', '--http', notifier.httpUrl]);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(all);
    expect(all.length).toBeGreaterThan(STABLE);
  });
});
