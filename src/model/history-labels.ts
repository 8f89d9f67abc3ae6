import type { Campaign } from './campaign-schema.js';
import { renderTemplate, type TemplateCampaign, templateVariables } from './command-template.js';
import { metricsInstance } from './metrics-instance.js';
import type { ResolvedServer } from './resolved-server.js';

/**
 * The labels that pick a server's mysqld_exporter series in Prometheus (campaign
 * `baseline.labels`), each template rendered for the server as written; without them, the
 * server's `instance` as `metrics.instance` names it, the one place that knows how Prometheus
 * names a server's exporter. Checked with every other template when the campaign loads.
 */
export function historyLabels(
  server: ResolvedServer,
  campaign: TemplateCampaign & Pick<Campaign, 'metrics' | 'baseline'>,
  campaignFile: string,
): Record<string, string> {
  const labels = campaign.baseline?.labels;
  if (labels === undefined) return { instance: metricsInstance(server, campaign, campaignFile) };
  const variables = templateVariables(server, campaign);
  return Object.fromEntries(
    Object.entries(labels).map(([label, template]) => [
      label,
      renderTemplate(
        template,
        variables,
        { file: campaignFile, key: `baseline.labels.${label}` },
        (value) => value,
      ),
    ]),
  );
}
