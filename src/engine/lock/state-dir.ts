import { dirname, resolve } from 'node:path';

/**
 * Where a campaign's journal, lock and command output live: `--state-dir` (relative to the
 * working directory), else the campaign's `stateDir`, else `.dbwave/<campaign>`, both relative to
 * the campaign file (`state.dir` is the same as `stateDir`), so that every operator of one checkout shares one state dir whatever their
 * working directory. `dbwave status` and the reports use the same function.
 */
export function resolveStateDir(
  campaignFile: string,
  campaign: {
    readonly campaign: string;
    readonly stateDir?: string;
    readonly state?: { readonly store: string; readonly dir?: string };
  },
  override?: string,
): string {
  if (override !== undefined && override !== '') return resolve(override);
  const base = dirname(resolve(campaignFile));
  const dir = campaign.state?.store === 'file' ? campaign.state.dir : undefined;
  return resolve(base, dir ?? campaign.stateDir ?? `.dbwave/${campaign.campaign}`);
}
