import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { syntheticCampaign, syntheticFleet } from '../../../scripts/bench/plan-bench.js';
import { planToYaml, planToYamlDocument } from '../../../src/inventory/plan-yaml.js';
import { fastPlanYaml } from '../../../src/inventory/plan-yaml-fast-path.js';
import type { Plan } from '../../../src/model/plan.js';
import { planWaves } from '../../../src/planner/plan-waves.js';
import { randomRequest } from '../planner/random-fleet.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HEADER = ['Written by `dbwave plan x.yaml`. Review it and commit it;', '', 'informational.'];

describe('the plan file, written directly or through the yaml package', () => {
  it('is byte for byte the yaml Document for the committed source-case plan', () => {
    const text = readFileSync(join(ROOT, 'waves', 'mysql-5.1.58.plan.yaml'), 'utf8');
    const plan = parse(text) as Plan;
    const header = text
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .map((line) => line.slice(2));
    expect(fastPlanYaml(plan, header)).toBe(text);
    expect(planToYamlDocument(plan, header)).toBe(text);
  });

  it('is byte for byte the yaml Document for a 10,000-server plan', () => {
    const plan = planWaves(syntheticFleet(10_000), syntheticCampaign(), { generatedBy: 'dbwave plan' });
    const fast = fastPlanYaml(plan, HEADER);
    expect(fast).toBeDefined();
    expect(fast).toBe(planToYamlDocument(plan, HEADER));
  });

  it('is byte for byte the yaml Document for random fleets and campaigns', () => {
    fc.assert(
      fc.property(randomRequest({ clusters: true }), ({ fleet, campaign }) => {
        const plan = planWaves(fleet, campaign);
        const fast = fastPlanYaml(plan, HEADER);
        expect(fast).toBeDefined();
        expect(fast).toBe(planToYamlDocument(plan, HEADER));
      }),
      { numRuns: 60 },
    );
  });

  it('leaves awkward values to the yaml package, or writes them the same', () => {
    const awkward = fc.constantFrom(
      'true',
      'null',
      '~',
      '12',
      '1.5',
      '1e3',
      '0x1F',
      '.5',
      'a: b',
      'a:b',
      'x:',
      'a #b',
      '#x',
      '-x',
      '- x',
      ' lead',
      'trail ',
      'two  spaces',
      "it's",
      '"q"',
      'a,b',
      '[a]',
      '{a}',
      '&a',
      '*a',
      '!a',
      '%a',
      '@a',
      '`a',
      '|',
      '>',
      '?',
      '',
      'ünï',
      '...',
      '---',
      'tab\there',
      'line\nbreak',
      'plain',
      'first day',
      '2011-09-20',
      '2011-09-20T09:00:00-07:00',
      'mysql-5.1.58.yaml',
      '../waves/x.yaml',
    );
    fc.assert(
      fc.property(awkward, awkward, awkward, awkward, (campaignFile, waveName, serverName, fit) => {
        const plan: Plan = {
          campaign: 'c',
          timezone: 'UTC',
          campaignFile,
          waves: [
            {
              index: 1,
              name: waveName,
              days: [
                {
                  date: '2011-09-20',
                  windowStart: '2011-09-20T09:00:00Z',
                  windowEnd: '2011-09-20T18:00:00Z',
                  capacity: {
                    servers: 1,
                    concurrency: 1,
                    p50: '1m',
                    p95: '2m',
                    window: '9h',
                    fit: fit as 'fits',
                  },
                },
              ],
              servers: [{ name: serverName, class: 'k', date: '2011-09-20' }],
            },
          ],
        };
        const fast = fastPlanYaml(plan, HEADER);
        if (fast !== undefined) expect(fast).toBe(planToYamlDocument(plan, HEADER));
        expect(planToYaml(plan, HEADER)).toBe(planToYamlDocument(plan, HEADER));
      }),
      { numRuns: 400 },
    );
  });
});
