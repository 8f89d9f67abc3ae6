import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { ExitStatus, exitStatusFor, InputError } from '../../../src/core/errors.js';
import { badInputCases, materialize } from './bad-input-case.js';

const cases = await badInputCases();
const silent = { stdout: { write: () => true }, stderr: { write: () => true } };

describe('the bad-inputs corpus', () => {
  it('holds the cases the issue lists', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((badCase) => [badCase.name, badCase] as const))(
    '%s: exit 2, every expected line, nothing written',
    async (_, badCase) => {
      const { dir, cleanup } = await materialize(badCase);
      try {
        const error = await planCampaign(
          { campaign: 'campaign.yaml', out: 'out.plan.yaml' },
          silent,
          dir,
        ).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, badCase.description).toBeInstanceOf(InputError);
        expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
        const lines = (error as InputError).message.split('\n');
        for (const expected of badCase.expect) expect(lines).toContain(expected);
        await expect(access(join(dir, 'out.plan.yaml'))).rejects.toThrow();
        await expect(access(join(dir, 'lab-upgrade.plan.yaml'))).rejects.toThrow();
      } finally {
        await cleanup();
      }
    },
  );

  it('plans the base of the corpus without error (each case breaks exactly what it names)', async () => {
    const { dir, cleanup } = await materialize({ name: 'base', description: 'base', files: {}, expect: [] });
    try {
      await expect(planCampaign({ campaign: 'campaign.yaml' }, silent, dir)).resolves.toBe(ExitStatus.Ok);
      await expect(access(join(dir, 'lab-upgrade.plan.yaml'))).resolves.toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});
