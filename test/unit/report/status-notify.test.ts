import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showStatus } from '../../../src/app/show-status.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { type HttpReceiver, startReceiver } from './http-receiver.js';
import { journalText, type SyntheticJournal, waveInShutdown } from './synthetic-journal.js';

/** A token in every URL and the routing key: none of them may show anywhere but a request. */
const TOKEN = 'T0KEN9secret8abcdefghijklmnop';
const ROUTING_KEY = 'R0UTING7key6abcdefghijklmnopqrs';
const POLL = 60_000;

let dir: string;
let stateDir: string;
let receiver: HttpReceiver;
let out: string[];
let err: string[];
const streams = {
  stdout: { write: (text: string) => out.push(text) },
  stderr: { write: (text: string) => err.push(text) },
};

const env = (): Record<string, string> => ({
  HOOK_SLACK: receiver.url(`/slack/${TOKEN}`),
  HOOK_MATTERMOST: receiver.url(`/mattermost/hooks/${TOKEN}`),
  HOOK_TEAMS: receiver.url(`/teams/${TOKEN}`),
  HOOK_DISCORD: receiver.url(`/discord/${TOKEN}`),
  HOOK_JSON: receiver.url(`/json/${TOKEN}`),
});

beforeEach(async () => {
  receiver = await startReceiver();
  dir = await mkdtemp(join(tmpdir(), 'dbwave-notify-'));
  await cp('test/unit/report/fixtures', dir, { recursive: true });
  const campaign = await readFile(join(dir, 'campaign.yaml'), 'utf8');
  await writeFile(
    join(dir, 'campaign.yaml'),
    campaign.replace(
      /notify:[\s\S]*$/,
      [
        'notify:',
        '  contacts: ["#db-ops"]',
        '  webhookEnv: HOOK_SLACK',
        '  webhooks:',
        '    - { urlEnv: HOOK_MATTERMOST, format: mattermost }',
        '    - { urlEnv: HOOK_TEAMS, format: teams }',
        '    - { urlEnv: HOOK_DISCORD, format: discord }',
        '    - { urlEnv: HOOK_JSON, format: json }',
        '  pagerduty:',
        '    routingKeyFile: pagerduty.key',
        `    eventsUrl: ${receiver.url('/v2/enqueue')}`,
        '',
      ].join('\n'),
    ),
  );
  await writeFile(join(dir, 'pagerduty.key'), `${ROUTING_KEY}\n`, { mode: 0o600 });
  stateDir = join(dir, 'state');
  out = [];
  err = [];
});
afterEach(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeJournal(journal: SyntheticJournal): Promise<void> {
  await writeFile(join(stateDir, 'journal.jsonl'), journalText(journal.records));
}

/** A fake clock on which each of the broadcaster's polls first runs the next step of `script`. */
function scriptedClock(start: number, script: (() => Promise<void>)[]): FakeClock {
  const clock = new FakeClock(start);
  const sleep = clock.sleep.bind(clock);
  clock.sleep = async (ms, signal) => {
    await sleep(ms, signal);
    if (ms === POLL) await script.shift()?.();
  };
  return clock;
}

async function broadcast(journal: SyntheticJournal, script: (() => Promise<void>)[]): Promise<number> {
  await writeJournal(journal);
  return showStatus(
    { plan: join(dir, 'plan.yaml'), stateDir, every: '30m' },
    { streams, clock: scriptedClock(journal.clock, script), cwd: dir, pollMs: POLL, env: env() },
  );
}

function expectNoSecretIn(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(ROUTING_KEY);
}

describe('status broadcasts in each webhook format', () => {
  it('posts {text} to Slack and Mattermost, {content} to Discord, an Adaptive Card to Teams, events to JSON', async () => {
    const journal = waveInShutdown();
    await mkdirState();
    const status = await broadcast(journal, [
      () => stopsNeedingPerson(journal),
      async () => {
        journal.add({ kind: 'wave', wave: 1, event: 'finished' });
        await writeJournal(journal);
      },
    ]);
    expect(status).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('NEEDS A PERSON: db-b1 (mysqld did not stop)');

    const slack = receiver.bodies(`/slack/${TOKEN}`);
    expect(slack).toEqual(lines.map((text) => ({ text })));
    expect(receiver.bodies(`/mattermost/hooks/${TOKEN}`)).toEqual(slack);
    expect(receiver.bodies(`/discord/${TOKEN}`)).toEqual(lines.map((content) => ({ content })));

    const teams = receiver.bodies(`/teams/${TOKEN}`) as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; body: { text: string; color?: string }[] };
      }[];
    }[];
    expect(teams).toHaveLength(3);
    for (const [index, card] of teams.entries()) {
      expect(card.type).toBe('message');
      expect(card.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(card.attachments[0]?.content.type).toBe('AdaptiveCard');
      expect(card.attachments[0]?.content.body.map((block) => block.text)).toEqual([
        'fleet-5158 wave 1',
        lines[index],
      ]);
    }
    // The update that needs a person is marked so in Teams.
    expect(teams[1]?.attachments[0]?.content.body[0]?.color).toBe('Attention');
    expect(teams[0]?.attachments[0]?.content.body[0]?.color).toBeUndefined();

    const events = receiver.bodies(`/json/${TOKEN}`) as { type: string; state?: string; server?: string }[];
    expect(events.map((event) => [event.type, event.state ?? event.server])).toEqual([
      ['status', 'in-progress'],
      ['status', 'in-progress'],
      ['needs-person', 'db-b1'],
      ['status', 'finished'],
    ]);
    expect(events[1]).toMatchObject({
      schemaVersion: 1,
      campaign: 'fleet-5158',
      wave: 1,
      text: lines[1],
      summary: { planned: 3, upgraded: 1, needsPerson: 1, notExecuted: 1 },
      needsPerson: [{ server: 'db-b1', reason: 'mysqld did not stop' }],
    });
    expect(events[2]).toEqual({
      schemaVersion: 1,
      type: 'needs-person',
      at: expect.any(String),
      campaign: 'fleet-5158',
      wave: 1,
      server: 'db-b1',
      reason: 'mysqld did not stop',
      key: 'dbwave/fleet-5158/server/db-b1',
    });
    expectNoSecretIn(out.join('') + err.join(''));
    expect(err.join('')).toBe('');
  });
});

describe('PagerDuty Events v2', () => {
  it('triggers an incident per server that needs a person and resolves it when the server no longer does', async () => {
    const journal = waveInShutdown();
    await mkdirState();
    await broadcast(journal, [
      () => stopsNeedingPerson(journal),
      async () => {
        // Nothing new: no event.
        journal.wait(POLL);
      },
      async () => {
        // The DBA fixed it and a resumed run upgraded it.
        journal.wait(POLL);
        journal.healthyServer(1, 'db-b1');
        await writeJournal(journal);
      },
      async () => {
        journal.add({ kind: 'wave', wave: 1, event: 'finished' });
        await writeJournal(journal);
      },
    ]);
    const events = receiver.bodies('/v2/enqueue');
    expect(events).toEqual([
      {
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: 'dbwave/fleet-5158/server/db-b1',
        client: 'dbwave',
        payload: {
          summary: 'dbwave fleet-5158 wave 1: db-b1 needs a person: mysqld did not stop',
          source: 'db-b1',
          severity: 'critical',
          component: 'mysql',
          group: 'fleet-5158',
          class: 'needs-person',
          custom_details: {
            campaign: 'fleet-5158',
            wave: 1,
            server: 'db-b1',
            reason: 'mysqld did not stop',
            status: expect.stringContaining('NEEDS A PERSON: db-b1'),
          },
        },
      },
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'dbwave/fleet-5158/server/db-b1' },
    ]);
    const json = receiver.bodies(`/json/${TOKEN}`) as { type: string; key?: string }[];
    expect(json.filter((event) => event.type !== 'status')).toEqual([
      expect.objectContaining({ type: 'needs-person', key: 'dbwave/fleet-5158/server/db-b1' }),
      expect.objectContaining({ type: 'resolved', key: 'dbwave/fleet-5158/server/db-b1' }),
    ]);
    expectNoSecretIn(out.join('') + err.join(''));
  });

  it('refuses a routing key file it cannot read, naming the key, before posting anything', async () => {
    await rm(join(dir, 'pagerduty.key'));
    await mkdirState();
    await writeJournal(waveInShutdown());
    await expect(
      showStatus(
        { plan: join(dir, 'plan.yaml'), stateDir, every: '30m' },
        { streams, clock: new FakeClock(), cwd: dir, env: env() },
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(
        /^campaign\.yaml: notify\.pagerduty\.routingKeyFile: cannot read .*pagerduty\.key \(ENOENT\)$/,
      ),
    });
    expect(receiver.posts).toEqual([]);
  });
});

describe('a run that died', () => {
  it('is broadcast as gone instead of in progress, and paged, when the lock’s process is dead', async () => {
    const journal = waveInShutdown();
    await mkdirState();
    const deadPid = spawnSync('true').pid;
    await writeLock({ host: hostname(), pid: deadPid, heartbeat: new Date(journal.clock).toISOString() });
    await broadcast(journal, [
      async () => {
        // An operator resumes the wave: a live process holds the lock again.
        journal.wait(POLL);
        await writeLock({
          host: hostname(),
          pid: process.ppid,
          heartbeat: new Date(journal.clock).toISOString(),
        });
      },
      async () => {
        journal.healthyServer(1, 'db-b1');
        journal.add({ kind: 'wave', wave: 1, event: 'finished' });
        await writeJournal(journal);
      },
    ]);
    const lines = out.join('').trim().split('\n');
    expect(lines[0]).toContain(
      `fleet-5158 wave 1 RUN GONE (the dbwave run dba@${hostname()} pid ${deadPid} is gone) · 1/3 done`,
    );
    expect(lines[0]).not.toContain('in progress');
    expect(lines[1]).toContain('fleet-5158 wave 1 in progress');
    const json = receiver.bodies(`/json/${TOKEN}`) as { type: string; state?: string }[];
    expect(json[0]).toMatchObject({
      type: 'status',
      state: 'run-gone',
      runGone: expect.stringContaining('is gone'),
    });
    expect(receiver.bodies('/v2/enqueue')).toEqual([
      expect.objectContaining({
        event_action: 'trigger',
        dedup_key: 'dbwave/fleet-5158/run',
        payload: expect.objectContaining({ source: 'dbwave', class: 'run-gone' }),
      }),
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'dbwave/fleet-5158/run' },
    ]);
  });

  it('is shown as gone by a one-off status when another host’s run stopped its heartbeat', async () => {
    const journal = waveInShutdown();
    await mkdirState();
    await writeJournal(journal);
    await writeLock({ host: 'ops-far-away', pid: 4242, heartbeat: new Date(journal.clock).toISOString() });
    await showStatus(
      { plan: join(dir, 'plan.yaml'), stateDir },
      { streams, clock: new FakeClock(journal.clock + 10 * 60_000), cwd: dir },
    );
    const text = out.join('');
    expect(text).toContain(
      'fleet-5158 wave 1 RUN GONE (no heartbeat from the dbwave run dba@ops-far-away pid 4242 for 10m00s)',
    );
    expect(text).toContain('Lock: STALE');
  });

  it('is in progress while the lock’s holder is alive and beating', async () => {
    const journal = waveInShutdown();
    await mkdirState();
    await writeJournal(journal);
    await writeLock({
      host: hostname(),
      pid: process.ppid,
      heartbeat: new Date(journal.clock).toISOString(),
    });
    await showStatus(
      { plan: join(dir, 'plan.yaml'), stateDir, json: true },
      { streams, clock: new FakeClock(journal.clock + 5_000), cwd: dir },
    );
    const json = JSON.parse(out.join(''));
    expect(json.lock.state).toBe('held');
    expect(json.update).toContain('wave 1 in progress');
  });
});

describe('delivery failures', () => {
  it('name only the receiver’s host, never its token, and the broadcast goes on', async () => {
    await receiver.close();
    receiver = await startReceiver((path) => (path.startsWith('/teams/') ? 400 : 202));
    await rm(join(dir, 'pagerduty.key'));
    const campaign = await readFile(join(dir, 'campaign.yaml'), 'utf8');
    await writeFile(join(dir, 'campaign.yaml'), campaign.replace(/ {2}pagerduty:[\s\S]*$/, ''));
    const journal = waveInShutdown();
    journal.add({ kind: 'wave', wave: 1, event: 'finished' });
    await mkdirState();
    await broadcast(journal, []);
    expect(err.join('')).toBe(
      `dbwave: status not delivered to ${new URL(receiver.url('/')).host} after 1 attempts (HTTP 400); the wave goes on\n`,
    );
    expect(receiver.bodies(`/slack/${TOKEN}`)).toHaveLength(1);
    expectNoSecretIn(out.join('') + err.join(''));
  });

  it('leave out a webhook whose variable is not set, saying so', async () => {
    const journal = waveInShutdown();
    journal.add({ kind: 'wave', wave: 1, event: 'finished' });
    await mkdirState();
    await writeJournal(journal);
    const { HOOK_DISCORD: _left, ...rest } = env();
    await showStatus(
      { plan: join(dir, 'plan.yaml'), stateDir, every: '30m' },
      { streams, clock: new FakeClock(journal.clock), cwd: dir, pollMs: POLL, env: rest },
    );
    expect(err.join('')).toBe(
      'dbwave: notify.webhooks[2].urlEnv: HOOK_DISCORD is not set; nothing is posted to it\n',
    );
    expect(receiver.bodies(`/discord/${TOKEN}`)).toEqual([]);
    expect(receiver.bodies(`/slack/${TOKEN}`)).toHaveLength(1);
  });
});

/** A minute later db-b1 ends needing a person: its mysqld did not stop. */
async function stopsNeedingPerson(journal: SyntheticJournal): Promise<void> {
  journal.wait(POLL);
  journal.add({
    kind: 'outcome',
    wave: 1,
    server: 'db-b1',
    outcome: 'NeedsPerson',
    reason: 'mysqld did not stop',
  });
  await writeJournal(journal);
}

async function mkdirState(): Promise<void> {
  await mkdir(stateDir, { recursive: true });
}

async function writeLock(owner: { host: string; pid: number; heartbeat: string }): Promise<void> {
  await writeFile(
    join(stateDir, 'lock.json'),
    `${JSON.stringify({ user: 'dba', ...owner, started: owner.heartbeat, purpose: 'run --wave 1' })}\n`,
  );
}
