import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../../src/engine/journal/file-journal-store.js';
import type { Campaign } from '../../../src/model/campaign-schema.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

const db1 = fakeServer('db1');
/** A journal written before the prepare step existed (precheck's `next` is baseline). */
const OLD_JOURNAL = fileURLToPath(new URL('./fixtures/journal-before-typed-details.jsonl', import.meta.url));

function campaignWithPrepare(): Campaign {
  const campaign = fakeCampaign();
  const commands = campaign.commands;
  if (commands === undefined) throw new Error('the fake campaign has commands');
  return { ...campaign, commands: { ...commands, prepare: 'fake prepare {{toPackage}}' } };
}

describe('the prepare step (commands.prepare)', () => {
  it('runs after the prechecks and before the window opens, then the upgrade goes on', async () => {
    const harness = new Harness(campaignWithPrepare());
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    const steps = harness.steps('db1');
    expect(steps.slice(0, 4)).toEqual([
      'precheck:started',
      'precheck:succeeded',
      'prepare:started',
      'prepare:succeeded',
    ]);
    expect(steps.indexOf('prepare:succeeded')).toBeLessThan(steps.indexOf('window-open:started'));
    const calls = harness.fleet.host('db1').calls;
    expect(calls.indexOf('prepare')).toBeGreaterThan(-1);
    expect(calls.indexOf('prepare')).toBeLessThan(calls.indexOf('stop'));
  });

  it('stops the server before any side effect when it fails, and says why', async () => {
    const harness = new Harness(campaignWithPrepare());
    const host = harness.fleet.host('db1');
    host.faults.prepareFails = true;
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('PrecheckFailed');
    expect(result.reason).toMatch(/^prepare: .*checksum mismatch/);
    expect(harness.steps('db1')).toEqual([
      'precheck:started',
      'precheck:succeeded',
      'prepare:started',
      'prepare:failed',
    ]);
    expect(harness.fleet.window.opens).toBe(0);
    expect(host.calls).not.toContain('stop');
    expect(host.upgrades).toBe(0);
  });

  it('is not journaled at all when the campaign has no prepare command', async () => {
    const harness = new Harness();
    await harness.upgrade(db1);
    expect(harness.steps('db1').some((step) => step.startsWith('prepare:'))).toBe(false);
  });

  it('resumes a journal written before the step existed where that journal says', async () => {
    const { records } = parseJournal(OLD_JOURNAL, await readFile(OLD_JOURNAL, 'utf8'));
    // db1's precheck, journaled by the earlier dbwave with `next: baseline`: the run broke off there.
    const before = records.filter((record) => record.kind === 'step' && record.server === 'db1').slice(0, 2);
    const harness = new Harness(campaignWithPrepare(), before);
    const result = await harness.upgrade(db1);
    expect(result.outcome).toBe('Upgraded');
    expect(harness.steps('db1').slice(2, 4)).toEqual(['baseline:started', 'baseline:skipped']);
    expect(harness.steps('db1').some((step) => step.startsWith('prepare:'))).toBe(false);
  });
});
