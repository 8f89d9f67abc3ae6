import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { recordHandoff } from '../../../src/app/record-handoff.js';
import { showStatus } from '../../../src/app/show-status.js';
import { exitStatusFor } from '../../../src/core/errors.js';
import { CampaignLock } from '../../../src/engine/lock/campaign-lock.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { materialize } from './bad-input-case.js';
import { HANDOFF_AT, HANDOFF_OPERATOR, OWNERS } from './owners-campaign.js';

const identity = HANDOFF_OPERATOR;
const clock = () => new FakeClock(HANDOFF_AT);

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let out = '';
const streams = {
  stdout: {
    write: (text: string) => {
      out += text;
      return true;
    },
  },
  stderr: { write: () => true },
};

async function setUp(owners: string): Promise<void> {
  ({ dir, cleanup } = await materialize({ name: 'handoff', description: '', files: {}, expect: [] }));
  const campaign = join(dir, 'campaign.yaml');
  await writeFile(campaign, `${await readFile(campaign, 'utf8')}${owners}`);
  await planCampaign({ campaign: 'campaign.yaml', out: 'lab.plan.yaml' }, streams, dir);
  out = '';
}

function handoff(args: { to: string; note?: string }, at = clock()) {
  return recordHandoff({ plan: 'lab.plan.yaml', ...args }, { streams, cwd: dir, clock: at, identity });
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return { status: exitStatusFor(error), message: (error as Error).message };
}

const journal = () => join(dir, '.dbwave', 'lab-upgrade', 'journal.jsonl');

describe('dbwave handoff', () => {
  beforeEach(async () => setUp(OWNERS));
  afterEach(async () => cleanup());

  it('records who hands off to whom, with the note and the host, and status shows it', async () => {
    await expect(handoff({ to: 'bob', note: 'db12 is slow, ticket DBA-7' })).resolves.toBe(0);
    expect(out).toContain('alice handed off to bob at 16:55 PDT (dba@ops-1): "db12 is slow, ticket DBA-7"');
    const [line] = (await readFile(journal(), 'utf8')).trim().split('\n');
    expect(JSON.parse(line ?? '')).toMatchObject({
      kind: 'handoff',
      wave: 0,
      from: 'alice',
      to: 'bob',
      user: 'dba',
      host: 'ops-1',
    });
    out = '';
    await showStatus({ plan: 'lab.plan.yaml', json: true }, { streams, cwd: dir, clock: clock() });
    const status = JSON.parse(out) as { inCharge: unknown; handoff: unknown; report: { wave: number } };
    expect(status.inCharge).toMatchObject({
      date: '2011-09-20',
      name: 'bob',
      contact: '+1 555 0100',
      named: 'alice',
    });
    expect(status.handoff).toMatchObject({ to: 'bob', note: 'db12 is slow, ticket DBA-7' });
    expect(status.report.wave).toBe(1);
  });

  it('refuses a name that is not one of owners.people: exit 2, file, line and key, nothing written', async () => {
    const { status, message } = await failure(handoff({ to: 'carol' }));
    expect(status).toBe(2);
    expect(message).toBe('campaign.yaml:line 13: owners.people: --to carol is not one of them (alice, bob)');
    await expect(access(journal())).rejects.toThrow();
  });

  it('refuses a hand-off to whoever is already in charge, and a note of several lines or too long', async () => {
    expect(await failure(handoff({ to: 'alice' }))).toEqual({
      status: 2,
      message: 'alice is already in charge of lab-upgrade',
    });
    expect(await failure(handoff({ to: 'bob', note: 'one\ntwo' }))).toEqual({
      status: 2,
      message: '--note holds a line break or a control character: give one line',
    });
    expect((await failure(handoff({ to: 'bob', note: 'x'.repeat(501) }))).message).toBe(
      '--note is 501 characters long; at most 500',
    );
    await expect(access(journal())).rejects.toThrow();
  });

  it('on the file store, waits for no run: a run holding the lock is exit 3 naming it, nothing written', async () => {
    const { lock } = await CampaignLock.acquire({
      stateDir: join(dir, '.dbwave', 'lab-upgrade'),
      clock: new FakeClock(Date.parse('2011-09-20T23:50:00.000Z')),
      identity: { user: 'ops', host: 'other-host', pid: 1 },
      isProcessAlive: () => true,
      heartbeatMs: 3_600_000,
    });
    try {
      const { status, message } = await failure(handoff({ to: 'bob' }));
      expect(status).toBe(3);
      expect(message).toContain('ops@other-host');
      await expect(access(journal())).rejects.toThrow();
    } finally {
      await lock.release();
    }
  });
});

describe('dbwave handoff on a campaign without owners', () => {
  beforeEach(async () => setUp(''));
  afterEach(async () => cleanup());

  it('is exit 2 naming the owners key to add', async () => {
    expect(await failure(handoff({ to: 'bob' }))).toEqual({
      status: 2,
      message:
        'campaign.yaml: owners: the campaign names nobody in charge: add owners: { people: [{ name, contact }], days: [...] } to hand off',
    });
  });
});
