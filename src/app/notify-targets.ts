import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { NotifyTarget } from '../report/status-notifier.js';

/** The campaign's broadcast targets with their secrets read, and the webhooks left out. */
export interface ResolvedNotifyTargets {
  readonly targets: readonly NotifyTarget[];
  /** One line per webhook whose variable is not set: it gets nothing, which the operator is told. */
  readonly unset: readonly string[];
}

export interface NotifyTargetOptions {
  readonly campaign: Pick<Campaign, 'notify'>;
  /** Absolute: the routing key file is relative to it. */
  readonly campaignFile: string;
  /** Shown in messages instead of the absolute path. */
  readonly shownCampaignFile: string;
  /** dbwave's environment, where the URLs and the routing key are looked up. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `status --webhook URL`: replaces the URL in `notify.webhookEnv`. */
  readonly webhookUrl?: string | undefined;
}

/**
 * Where broadcasts go, from the campaign's `notify`: `webhookEnv` (Slack format, as always),
 * each of `webhooks` in its format, and PagerDuty with its routing key read from its file or
 * variable. A webhook whose variable is not set is left out with a line saying so (a chat
 * channel must not stop a wave); a routing key that cannot be read is an InputError (exit 2),
 * as a MySQL password is: paging was asked for, and silently not paging is worse than not
 * starting. Secrets are read here and only ever travel inside request bodies and URLs.
 */
export async function resolveNotifyTargets(options: NotifyTargetOptions): Promise<ResolvedNotifyTargets> {
  const notify = options.campaign.notify;
  const targets: NotifyTarget[] = [];
  const unset: string[] = [];
  const fromEnv = (key: string, name: string): string | undefined => {
    const value = options.env[name];
    if (value === undefined || value === '')
      unset.push(`${key}: ${name} is not set; nothing is posted to it`);
    return value === '' ? undefined : value;
  };
  const slackUrl =
    options.webhookUrl ??
    (notify?.webhookEnv === undefined ? undefined : fromEnv('notify.webhookEnv', notify.webhookEnv));
  if (slackUrl !== undefined) targets.push({ kind: 'webhook', format: 'slack', url: slackUrl });
  for (const [index, webhook] of (notify?.webhooks ?? []).entries()) {
    const url = fromEnv(`notify.webhooks[${index}].urlEnv`, webhook.urlEnv);
    if (url !== undefined) targets.push({ kind: 'webhook', format: webhook.format, url });
  }
  const pagerduty = notify?.pagerduty;
  if (pagerduty !== undefined) {
    targets.push({
      kind: 'pagerduty',
      eventsUrl: pagerduty.eventsUrl,
      severity: pagerduty.severity,
      routingKey: await routingKey(pagerduty, options),
    });
  }
  return { targets, unset };
}

async function routingKey(
  pagerduty: NonNullable<NonNullable<Campaign['notify']>['pagerduty']>,
  options: NotifyTargetOptions,
): Promise<string> {
  const shown = options.shownCampaignFile;
  if (pagerduty.routingKeyFile !== undefined) {
    const file = resolve(dirname(options.campaignFile), pagerduty.routingKeyFile);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw InputError.of(shown, 'notify.pagerduty.routingKeyFile', `cannot read ${file} (${why})`);
    }
    const key = text.trim();
    if (key === '') throw InputError.of(shown, 'notify.pagerduty.routingKeyFile', `${file} is empty`);
    return key;
  }
  const name = pagerduty.routingKeyEnv ?? '';
  const key = options.env[name]?.trim();
  if (key === undefined || key === '') {
    throw InputError.of(shown, 'notify.pagerduty.routingKeyEnv', `environment variable ${name} is not set`);
  }
  return key;
}
