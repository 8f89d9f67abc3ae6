import { UsageError } from '../core/errors.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { RunServices } from './run-services.js';

/** Refuses to go on unconfirmed when nobody is at a terminal to confirm. */
export function refuseUnconfirmable(command: 'run' | 'rollback'): never {
  throw new UsageError(
    `dbwave ${command} needs --yes when it is not run from a terminal (nobody can confirm)`,
  );
}

/**
 * Shows the operator what is about to happen (a heading, the 503 window each server gets, one
 * line per server) and asks `question`. False when not confirmed, after saying nothing was done.
 */
export async function confirmWithOperator(options: {
  readonly services: Pick<RunServices, 'streams' | 'confirm'>;
  readonly campaign: Pick<Campaign, 'target503' | 'maintenance'>;
  readonly heading: string;
  readonly serverLines: readonly string[];
  readonly question: string;
}): Promise<boolean> {
  const { services, campaign } = options;
  services.streams.stdout.write(
    [
      options.heading,
      `Each server gets a 503 window (target ${Math.round(campaign.target503 / 60_000)}m) via ${campaign.maintenance.adapter}.`,
      ...options.serverLines,
      '',
    ].join('\n'),
  );
  if (await services.confirm(options.question)) return true;
  services.streams.stdout.write('Not confirmed; nothing was done.\n');
  return false;
}
