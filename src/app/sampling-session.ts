import { describeNarrowed } from '../engine/lock/private-state-dir.js';
import type { Inventory } from '../inventory/load-inventory.js';
import { type CampaignAdapters, campaignAdapters } from './campaign-adapters.js';
import { type HeldCampaign, openCampaignState } from './campaign-state.js';
import { type CommandServices, processIdentity } from './command-services.js';

/** What a command that samples servers between waves works with while it holds the campaign. */
export interface SamplingSession {
  /** The campaign's journal, held: what is read here is what the command appends to. */
  readonly journal: HeldCampaign['journal'];
  readonly adapters: CampaignAdapters;
}

/**
 * Holds the campaign (exit 3 while another holds it), opens its adapters, runs `body`, and
 * releases everything whatever happens: what `dbwave compare` and the soak's points share. A
 * process that holds the campaign is the only one appending to it, so that two never take the
 * same soak point.
 */
export async function withSamplingSession<T>(
  options: {
    readonly inventory: Pick<Inventory, 'campaign' | 'campaignFile'>;
    readonly stateDir: string;
    readonly purpose: string;
    readonly services: CommandServices;
  },
  body: (session: SamplingSession) => Promise<T>,
): Promise<T> {
  const { campaign, campaignFile } = options.inventory;
  const { services, stateDir } = options;
  const state = await openCampaignState({ campaign, campaignFile, stateDir, clock: services.clock });
  let held: HeldCampaign;
  try {
    held = await state.hold({ identity: processIdentity(), purpose: options.purpose });
  } catch (error) {
    await state.close();
    throw error;
  }
  const madePrivate = describeNarrowed(stateDir, held.narrowed);
  if (madePrivate !== undefined) services.streams.stderr.write(`dbwave: ${madePrivate}\n`);
  let adapters: CampaignAdapters | undefined;
  try {
    adapters = await campaignAdapters({ campaign, campaignFile });
    return await body({ journal: held.journal, adapters });
  } finally {
    await adapters?.close().catch(() => undefined);
    await held.journal.close().catch(() => undefined);
    await held.release();
    await state.close();
  }
}
