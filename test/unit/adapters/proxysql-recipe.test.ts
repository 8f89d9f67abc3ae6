import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/fleet/fleet-paths.js';
import { campaignChildEnvironment } from '../../../src/adapters/local/child-environment.js';
import { createMaintenanceWindow } from '../../../src/adapters/maintenance/maintenance-window-factory.js';
import { type Inventory, loadInventory } from '../../../src/inventory/load-inventory.js';
import { renderCommand, templateVariables } from '../../../src/model/command-template.js';
import { serverNamed } from './server-fixtures.js';

/**
 * The ProxySQL recipe (examples/proxysql/, docs/engine.md "ProxySQL") through the real
 * `command` adapter and the real helper script, against a stand-in for ProxySQL's admin client
 * that records the SQL it receives and answers like the admin interface would. No ProxySQL
 * build is available here: what ProxySQL itself does with the SQL is not tested.
 */

const EXAMPLE = join(REPO_ROOT, 'examples', 'proxysql', 'campaign.yaml');

/** The stand-in: stdin appended to received.sql; status, conn-used and the answers in files. */
const STAND_IN = `#!/bin/sh
dir=$(dirname "$0")
sql=$(cat)
printf '%s\\n' "$sql" >> "$dir/received.sql"
case $sql in
  *"SET status='OFFLINE_SOFT'"*) echo OFFLINE_SOFT > "$dir/status" ;;
  *"SET status='ONLINE'"*) echo ONLINE > "$dir/status" ;;
  *stats_mysql_connection_pool*)
    used=$(cat "$dir/conn-used")
    echo "$used"
    if [ "$used" -gt 0 ]; then echo $((used - 1)) > "$dir/conn-used"; fi ;;
  *runtime_mysql_servers*) cat "$dir/status" ;;
esac
`;

const c1 = serverNamed('c1', { host: '127.0.0.1', port: 13306 });
const OFFLINE =
  "UPDATE mysql_servers SET status='OFFLINE_SOFT' WHERE hostname='127.0.0.1' AND port=13306; LOAD MYSQL SERVERS TO RUNTIME;";
const CONN_USED =
  "SELECT COALESCE(SUM(ConnUsed), 0) FROM stats_mysql_connection_pool WHERE srv_host='127.0.0.1' AND srv_port=13306;";
const ONLINE =
  "UPDATE mysql_servers SET status='ONLINE' WHERE hostname='127.0.0.1' AND port=13306; LOAD MYSQL SERVERS TO RUNTIME;";
const STATUS = "SELECT status FROM runtime_mysql_servers WHERE hostname='127.0.0.1' AND port=13306;";

describe('the ProxySQL recipe', () => {
  let folder: string;
  let inventory: Inventory;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dbwave-proxysql-'));
    await writeFile(join(folder, 'admin'), STAND_IN);
    await chmod(join(folder, 'admin'), 0o755);
    await writeFile(join(folder, 'status'), 'ONLINE\n');
    await writeFile(join(folder, 'conn-used'), '2\n');
    inventory = await loadInventory(EXAMPLE, { cwd: REPO_ROOT });
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  function window(drainSeconds = '30') {
    const { campaign, campaignFile } = inventory;
    return createMaintenanceWindow(campaign.maintenance, {
      campaign,
      campaignFile,
      childEnvironment: campaignChildEnvironment(campaign, {
        ...process.env,
        PROXYSQL_ADMIN: join(folder, 'admin'),
        PROXYSQL_DRAIN_SECONDS: drainSeconds,
      }),
    });
  }

  async function received(): Promise<string[]> {
    const text = await readFile(join(folder, 'received.sql'), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '');
  }

  it('is a campaign the loader accepts, whose commands render exactly as documented', () => {
    const { campaign, campaignFile } = inventory;
    expect(campaign.maintenance).toMatchObject({ adapter: 'command', transport: 'local' });
    if (campaign.maintenance.adapter !== 'command') throw new Error('not the command adapter');
    const variables = templateVariables(c1, campaign);
    const render = (key: 'open' | 'close' | 'status', template: string | undefined) =>
      renderCommand(template ?? '', variables, { file: campaignFile, key: `maintenance.${key}` });
    expect(render('open', campaign.maintenance.open)).toBe(
      "examples/proxysql/proxysql-maintenance.sh open '127.0.0.1' '13306'",
    );
    expect(render('close', campaign.maintenance.close)).toBe(
      "examples/proxysql/proxysql-maintenance.sh close '127.0.0.1' '13306'",
    );
    expect(render('status', campaign.maintenance.status)).toBe(
      "examples/proxysql/proxysql-maintenance.sh status '127.0.0.1' '13306'",
    );
  });

  it('opens with OFFLINE_SOFT, loads it to runtime, and waits until ConnUsed is 0', async () => {
    await window().open(c1);
    expect(await received()).toEqual([OFFLINE, CONN_USED, CONN_USED, CONN_USED]);
  });

  it('opens anyway, and says so, when the connections in use outlast PROXYSQL_DRAIN_SECONDS', async () => {
    await writeFile(join(folder, 'conn-used'), '100\n');
    await window('1').open(c1);
    const sql = await received();
    expect(sql[0]).toBe(OFFLINE);
    expect(sql.slice(1)).toEqual([CONN_USED, CONN_USED]);
  });

  it('reads the window from runtime_mysql_servers and closes it back to ONLINE', async () => {
    const proxysql = window();
    expect(await proxysql.isOpen(c1)).toBe(false);
    await proxysql.open(c1);
    expect(await proxysql.isOpen(c1)).toBe(true);
    await proxysql.close(c1);
    expect(await proxysql.isOpen(c1)).toBe(false);
    expect((await received()).filter((sql) => !sql.startsWith('SELECT COALESCE'))).toEqual([
      STATUS,
      OFFLINE,
      STATUS,
      ONLINE,
      STATUS,
    ]);
  });

  it('refuses a host that is not a host name before any SQL is sent', async () => {
    await expect(window().open(serverNamed('bad', { host: "x' OR 1=1 --", port: 13306 }))).rejects.toThrow(
      /maintenance open command exited 2: .*not a host name/,
    );
    expect(await received()).toEqual([]);
  });
});
