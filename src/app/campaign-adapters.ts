import { campaignChildEnvironment } from '../adapters/local/child-environment.js';
import { createMaintenanceWindow } from '../adapters/maintenance/maintenance-window-factory.js';
import { connectMysql } from '../adapters/mysql/mysql-session.js';
import { type MysqlSettings, mysqlSettingsFromCampaign } from '../adapters/mysql/mysql-settings.js';
import { prometheusHistory } from '../adapters/prometheus/prometheus-history.js';
import { ShellPool } from '../adapters/shell/shell-pool.js';
import { sshSettingsFromCampaign } from '../adapters/ssh/ssh-config.js';
import { InputError } from '../core/errors.js';
import type { MaintenanceWindow } from '../engine/ports/maintenance-window.js';
import type { MetricHistory } from '../engine/ports/metric-history.js';
import type { ServerConnectors } from '../engine/ports/server-connectors.js';
import type { SqlSession } from '../engine/ports/sql-session.js';
import { type Campaign, DEFAULT_MAX_OUTPUT_BYTES } from '../model/campaign-schema.js';
import { historyLabels } from '../model/history-labels.js';
import type { ResolvedServer } from '../model/resolved-server.js';

export interface CampaignAdapters {
  /** SSH/local shells (one per server for the run) and MySQL sessions. */
  readonly connectors: ServerConnectors;
  readonly maintenance: MaintenanceWindow;
  /** The servers' history in Prometheus (campaign `baseline.prometheus`); undefined without it. */
  readonly metricHistory?: MetricHistory | undefined;
  /** Closes every connection the run opened. */
  close(): Promise<void>;
}

export interface CampaignAdaptersOptions {
  readonly campaign: Campaign;
  /** The campaign file: relative paths (keys, known_hosts, password, socket) start from its folder. */
  readonly campaignFile: string;
  /** dbwave's environment: where `mysql.passwordEnv`, `ssh.passphraseEnv`, `SSH_AUTH_SOCK` and `HOME` are looked up and local commands' variables are taken from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The real adapters for a campaign, as the CLI hands them to the engine: reads the MySQL
 * password, the SSH passphrase and ssh_config once, checks nothing over the network yet (the first command or query to a server
 * connects, with its host key checked).
 */
export async function campaignAdapters(options: CampaignAdaptersOptions): Promise<CampaignAdapters> {
  const { campaign, campaignFile } = options;
  const maxOutputBytes = campaign.commands?.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const env = options.env ?? process.env;
  const childEnvironment = campaignChildEnvironment(campaign, env);
  const ssh =
    campaign.ssh === undefined
      ? undefined
      : await sshSettingsFromCampaign(campaign.ssh, campaignFile, maxOutputBytes, env);
  const shells = new ShellPool({ childEnvironment, ...(ssh === undefined ? {} : { ssh }), maxOutputBytes });
  const mysql: MysqlSettings | undefined =
    campaign.mysql === undefined
      ? undefined
      : await mysqlSettingsFromCampaign(campaign.mysql, campaignFile, options.env);

  const connectors: ServerConnectors = {
    shell: (server) => shells.shellFor(server),
    sql: async (server: ResolvedServer): Promise<SqlSession> => {
      if (mysql === undefined) {
        throw InputError.of(campaignFile, 'mysql', 'is needed to reach MySQL: set at least mysql.user');
      }
      return connectMysql(server, mysql);
    },
    release: (server) => shells.release(server),
  };
  const maintenance = createMaintenanceWindow(campaign.maintenance, {
    campaign,
    campaignFile,
    serverShell: (server) => shells.shellFor(server),
    maxOutputBytes,
    childEnvironment,
  });
  const baseline = campaign.baseline;
  const metricHistory =
    baseline === undefined
      ? undefined
      : prometheusHistory({
          url: baseline.prometheus,
          labelsFor: (server) => historyLabels(server, campaign, campaignFile),
          stepMs: baseline.step,
          timeoutMs: baseline.timeout,
        });
  return { connectors, maintenance, metricHistory, close: () => shells.closeAll() };
}
