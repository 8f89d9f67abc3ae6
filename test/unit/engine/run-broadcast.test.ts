import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { type HttpReceiver, startReceiver } from '../report/http-receiver.js';
import { plannedCampaign, services, WAVE_DAY } from './fakes/cli-harness.js';
import { FakeClock } from './fakes/fake-clock.js';

const TOKEN = 'T0KEN9secret8abcdefghijklmnop';
const ROUTING_KEY = 'R0UTING7key6abcdefghijklmnopqrs';
/** The campaign's notify.every: long, and held by the clock below until the run stops it. */
const EVERY = 7 * 3_600_000;

/** The harness's fake clock, except that the broadcast interval waits until it is stopped. */
class IntervalHeldClock extends FakeClock {
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms !== EVERY) return super.sleep(ms, signal);
    await new Promise<void>((_resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** A planned campaign whose notify posts a JSON event stream, to Slack and to PagerDuty. */
async function campaignWithNotify(): Promise<{ dir: string; plan: string; env: Record<string, string> }> {
  const { dir, plan } = await plannedCampaign();
  const campaign = await readFile(join(dir, 'campaign.yaml'), 'utf8');
  await writeFile(
    join(dir, 'campaign.yaml'),
    `${campaign}notify:\n  every: 7h\n  webhookEnv: HOOK_SLACK\n  webhooks: [{ urlEnv: HOOK_JSON, format: json }]\n  pagerduty: { routingKeyEnv: PD_KEY, eventsUrl: "${receiver.url('/v2/enqueue')}" }\n`,
  );
  return {
    dir,
    plan,
    env: {
      HOOK_SLACK: receiver.url(`/slack/${TOKEN}`),
      HOOK_JSON: receiver.url(`/json/${TOKEN}`),
      PD_KEY: ROUTING_KEY,
    },
  };
}

describe('dbwave run broadcasts by itself', () => {
  it('posts when the wave starts, at once when a server needs a person, and when it ends', async () => {
    const { dir, plan, env } = await campaignWithNotify();
    const clock = new IntervalHeldClock(Date.parse(`${WAVE_DAY}T03:00:00Z`));
    const { services: s, fleet, out } = services(dir, { clock, env });
    const first = (await readFile(join(dir, plan), 'utf8')).match(/name: (db\d)/)?.[1] ?? 'db1';
    fleet.host(first).faults.stopFails = true;

    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(1);

    const events = receiver.bodies(`/json/${TOKEN}`) as {
      type: string;
      state?: string;
      server?: string;
      reason?: string;
    }[];
    const statuses = events.filter((event) => event.type === 'status');
    expect(statuses[0]?.state).toBe('in-progress');
    expect(statuses.at(-1)?.state).toMatch(/^(finished|halted)$/);
    const needsPerson = events.filter((event) => event.type === 'needs-person');
    expect(needsPerson).toEqual([
      expect.objectContaining({ server: first, key: `dbwave/test/server/${first}` }),
    ]);
    // The needs-person event went out with its own update, before the wave's last one.
    expect(events.indexOf(needsPerson[0] as (typeof events)[number])).toBeLessThan(events.length - 1);

    const slack = receiver.bodies(`/slack/${TOKEN}`) as { text: string }[];
    expect(slack.length).toBe(statuses.length);
    expect(slack.some((post) => post.text.includes(`NEEDS A PERSON: ${first}`))).toBe(true);

    expect(receiver.bodies('/v2/enqueue')).toEqual([
      expect.objectContaining({
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: `dbwave/test/server/${first}`,
      }),
    ]);

    // No token or routing key in what the run printed or wrote.
    const stateDir = join(dir, '.dbwave', 'test');
    const written = await Promise.all(
      (await readdir(stateDir))
        .filter((file) => file.endsWith('.jsonl'))
        .map((file) => readFile(join(stateDir, file), 'utf8')),
    );
    for (const text of [out.join(''), ...written]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(ROUTING_KEY);
    }
  });

  it('refuses to start when the PagerDuty routing key is not set, before taking the lock', async () => {
    const { dir, plan, env } = await campaignWithNotify();
    const { PD_KEY: _unset, ...rest } = env;
    const { services: s, fleet } = services(dir, { env: rest });
    await expect(runWaveCommand({ plan, wave: 1, yes: true }, s)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'campaign.yaml: notify.pagerduty.routingKeyEnv: environment variable PD_KEY is not set',
    });
    expect(fleet.hosts.size).toBe(0);
    expect(receiver.posts).toEqual([]);
  });

  it('posts nothing and starts no interval when the campaign names no webhook', async () => {
    const { dir, plan } = await plannedCampaign();
    const { services: s } = services(dir);
    expect(await runWaveCommand({ plan, wave: 1, yes: true }, s)).toBe(0);
    expect(receiver.posts).toEqual([]);
  });
});
