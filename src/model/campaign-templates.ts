import type { KeyPath } from '../core/source-locator.js';
import type { Campaign } from './campaign-schema.js';

/** The campaign's command templates the engine runs on a server (`commands.*`). */
export const TEMPLATE_COMMANDS = [
  'prepare',
  'stop',
  'start',
  'running',
  'installedVersion',
  'upgrade',
  'configure',
  'rollback',
  'postUpgrade',
] as const;
export type TemplateCommand = (typeof TEMPLATE_COMMANDS)[number];

/**
 * How a template's values are written into it: `shell`, shell-quoted (a command); `url`,
 * percent-encoded; `plain`, as they are (HAProxy names, HTTP headers and bodies).
 */
export type TemplateEncoding = 'shell' | 'url' | 'plain';

/** One template of a campaign, where it is written and how it is rendered. */
export interface CampaignTemplate {
  readonly key: KeyPath;
  readonly template: string;
  readonly encoding: TemplateEncoding;
}

/**
 * Every template a campaign holds: its commands and its maintenance adapter's. The one list
 * that load-time validation walks, so that a template a run would only render on the day of a
 * rollback is checked when the campaign is planned.
 */
export function campaignTemplates(campaign: Campaign): CampaignTemplate[] {
  const found: CampaignTemplate[] = [];
  const add = (key: KeyPath, template: string | undefined, encoding: TemplateEncoding): void => {
    if (template !== undefined) found.push({ key, template, encoding });
  };
  for (const command of TEMPLATE_COMMANDS) add(['commands', command], campaign.commands?.[command], 'shell');
  add(['metrics', 'instance'], campaign.metrics.instance, 'plain');
  for (const [label, value] of Object.entries(campaign.baseline?.labels ?? {})) {
    add(['baseline', 'labels', label], value, 'plain');
  }
  const maintenance = campaign.maintenance;
  switch (maintenance.adapter) {
    case 'haproxy':
      add(['maintenance', 'backend'], maintenance.backend, 'plain');
      add(['maintenance', 'server'], maintenance.server, 'plain');
      break;
    case 'command':
      for (const action of ['open', 'close', 'status'] as const) {
        add(['maintenance', action], maintenance[action], 'shell');
      }
      break;
    case 'http':
      for (const action of ['open', 'close', 'status'] as const) {
        const call = maintenance[action];
        if (call === undefined) continue;
        add(['maintenance', action, 'url'], call.url, 'url');
        for (const [name, value] of Object.entries(call.headers ?? {})) {
          add(['maintenance', action, 'headers', name], value, 'plain');
        }
        add(['maintenance', action, 'body'], call.body, 'plain');
      }
      break;
    case 'none':
      break;
  }
  return found;
}
