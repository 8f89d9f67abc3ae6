import { mysqlSettingsFromCampaign } from '../adapters/mysql/mysql-settings.js';
import { connectStateServer } from '../adapters/state/mysql-state-connection.js';
import { initStateTables, STATE_SCHEMA_VERSION } from '../adapters/state/mysql-state-tables.js';
import { DbwaveError, ErrorCode, ExitStatus, errorMessage } from '../core/errors.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import { loadPlan } from '../inventory/load-plan.js';
import type { CommandServices } from './command-services.js';

/** The flags of `dbwave state init`. */
export interface StateInitArguments {
  readonly plan: string;
}

/**
 * `dbwave state init PLAN`: creates the campaign's MySQL state store (database and tables, InnoDB)
 * and records its schema version; run again, it changes nothing. The file store needs no set-up:
 * it says where its files go.
 */
export async function initStateStore(
  args: StateInitArguments,
  services: CommandServices,
): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile } = loaded.inventory;
  const store = campaign.state;
  if (store?.store !== 'mysql') {
    services.streams.stdout.write(
      `${campaign.campaign}: the file store needs no set-up; its journal and lock go to ${resolveStateDir(campaignFile, campaign)}\n`,
    );
    return ExitStatus.Ok;
  }
  const login = await mysqlSettingsFromCampaign(store, campaignFile, process.env, 'state');
  const where = `${store.user}@${store.host}:${store.port}/${store.database}`;
  const connection = await connectStateServer(store, login).catch((error: unknown) => {
    throw new DbwaveError(
      ErrorCode.Transport,
      `cannot connect to the state store ${where}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  });
  try {
    const result = await initStateTables(connection, store.database);
    services.streams.stdout.write(
      result === 'created'
        ? `${where}: created dbwave's state tables (schema version ${STATE_SCHEMA_VERSION})\n`
        : `${where}: already at schema version ${STATE_SCHEMA_VERSION}; nothing to do\n`,
    );
    return ExitStatus.Ok;
  } finally {
    await connection.end().catch(() => undefined);
  }
}
