import type { Campaign } from './campaign-schema.js';
import { renderTemplate, type TemplateCampaign, templateVariables } from './command-template.js';
import type { ResolvedServer } from './resolved-server.js';

/**
 * A server's `instance` label on dbwave's per-server metrics: the campaign's `metrics.instance`
 * rendered as written (default `{{host}}:9104`), so that it equals the `instance` Prometheus
 * gives the server's mysqld_exporter target and the two join with `on(instance)`. Checked with
 * every other template when the campaign loads.
 */
export function metricsInstance(
  server: ResolvedServer,
  campaign: TemplateCampaign & Pick<Campaign, 'metrics'>,
  campaignFile: string,
): string {
  return renderTemplate(
    campaign.metrics.instance,
    templateVariables(server, campaign),
    { file: campaignFile, key: 'metrics.instance' },
    (value) => value,
  );
}
