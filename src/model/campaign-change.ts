import type { Campaign } from './campaign-schema.js';

/** The fields a description of a campaign's change reads. */
type ChangeFields = Pick<Campaign, 'kind' | 'from' | 'to' | 'pointOfNoReturn' | 'pointOfNoReturnDefaulted'>;

/**
 * What the campaign does to each server, in one line for plan, show, checklist, run, status and
 * reports: `upgrade 10.11.19 -> 11.8.9` or `rolling restart of 9.7.4 (no version change)`.
 */
export function describeChange(campaign: ChangeFields): string {
  return campaign.kind === 'restart'
    ? `rolling restart of ${campaign.to.version} (no version change)`
    : `upgrade ${campaign.from.version} -> ${campaign.to.version}`;
}

/** The point of no return in words, and why it is where it is when the campaign did not say. */
export function describePointOfNoReturn(campaign: ChangeFields): string {
  if (campaign.pointOfNoReturn === 'never') {
    return campaign.kind === 'restart'
      ? 'none (a rolling restart keeps the version: a rollback restores the configuration)'
      : 'none (a rollback is always a downgrade of the package)';
  }
  const step =
    campaign.pointOfNoReturn === 'start' ? 'the first start on the new version' : campaign.pointOfNoReturn;
  const why = campaign.pointOfNoReturnDefaulted
    ? ` (the default for a change of release series: the old version may not open the datadir again; set pointOfNoReturn to change it)`
    : '';
  return `after ${step}${why}; past it a failed server is marked NeedsUserMigration, not downgraded`;
}

/** The change and its point of no return in one line, as `plan` and `show` print them under the title. */
export function describeChangeAndPointOfNoReturn(campaign: ChangeFields): string {
  return `${describeChange(campaign)}; point of no return: ${describePointOfNoReturn(campaign)}`;
}
