import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { unlocatedSources } from '../../../src/core/source-locator.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';
import { dayOwners, ownerIssues } from '../../../src/planner/day-owners.js';

/** The sample campaign the README walks through (waves 2011-09-20, 09-22, 09-27..29, blackout 09-28). */
const { owners: _owners, ...minimal } = parseYaml(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'waves', 'mysql-5.1.58.yaml'), 'utf8'),
) as Record<string, unknown>;

const people = [{ name: 'alice', contact: 'alice@example.com, +1 602 555 0100' }, { name: 'bob' }];

function campaignWith(owners: unknown) {
  return campaignSchema.parse({ ...minimal, owners });
}

describe('owners: who is in charge of each day', () => {
  it('is optional: a campaign without it has nobody named and no issue', () => {
    const campaign = campaignSchema.parse(minimal);
    expect(campaign.owners).toBeUndefined();
    expect(dayOwners(campaign.owners).size).toBe(0);
    expect(ownerIssues(campaign, unlocatedSources)).toEqual([]);
  });

  it('names one person per day, a range giving each of its days, blackout days included', () => {
    const campaign = campaignWith({
      people,
      days: [
        { date: '2011-09-20', name: 'alice' },
        { dates: '2011-09-27..2011-09-29', name: 'bob' },
      ],
    });
    expect(ownerIssues(campaign, unlocatedSources)).toEqual([]);
    const owners = dayOwners(campaign.owners);
    expect(owners.get('2011-09-20')).toEqual(people[0]);
    expect([...owners.keys()]).toEqual(['2011-09-20', '2011-09-27', '2011-09-28', '2011-09-29']);
    expect(owners.get('2011-09-22')).toBeUndefined();
  });

  it('defaults days to none, and needs at least one person', () => {
    expect(campaignWith({ people }).owners?.days).toEqual([]);
    const none = campaignSchema.safeParse({ ...minimal, owners: { people: [] } });
    expect(none.success).toBe(false);
    expect(none.error?.issues[0]?.message).toBe('name at least one person');
  });

  it('refuses a person listed twice, an unknown key, and a name that is no identifier', () => {
    const twice = campaignSchema.safeParse({
      ...minimal,
      owners: { people: [{ name: 'al' }, { name: 'al' }] },
    });
    expect(twice.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['owners.people.1.name', 'al is listed twice'],
    ]);
    expect(campaignSchema.safeParse({ ...minimal, owners: { people, shifts: [] } }).success).toBe(false);
    expect(
      campaignSchema.safeParse({ ...minimal, owners: { people: [{ name: 'a; rm -rf' }] } }).success,
    ).toBe(false);
  });

  it('reports an unknown name, a day named twice, and days outside the campaign, each at its key', () => {
    const campaign = campaignWith({
      people,
      days: [
        { dates: '2011-09-20..2011-09-22', name: 'alice' },
        { date: '2011-09-21', name: 'bob' },
        { date: '2011-09-27', name: 'carol' },
        { date: '2011-09-19', name: 'bob' },
      ],
    });
    expect(ownerIssues(campaign, unlocatedSources).map((issue) => `${issue.key}: ${issue.message}`)).toEqual([
      'owners.days.1.date: 2011-09-21 already has an owner (owners.days.0): one person per day',
      'owners.days.2.name: carol is not one of owners.people (alice, bob)',
      'owners.days.3.date: 2011-09-19 is outside the campaign, which runs 2011-09-20..2011-09-29',
    ]);
  });
});
