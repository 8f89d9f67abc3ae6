import type { Campaign } from '../../model/campaign-schema.js';

/** PATH for a command when dbwave's own environment has none. */
export const DEFAULT_CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The whole environment a command run on this machine (`transport: local`, a local maintenance
 * command) gets. dbwave's own environment holds secrets (the MySQL password named by
 * `mysql.passwordEnv`, the webhooks and the PagerDuty key named in `notify`, the key passphrase
 * named by `ssh.passphraseEnv`, whatever the operator's shell
 * exported), and a campaign command has no business with them, so nothing is inherited but:
 *
 * - `PATH`: dbwave's own, or {@link DEFAULT_CHILD_PATH} when it has none;
 * - `HOME`, `USER`, `LOGNAME`: dbwave's own, when set (tools find their config by them);
 * - `TZ`: dbwave's own, when set (the times commands print agree with dbwave's);
 * - `LANG` and `LC_ALL`: always `C`, so the output dbwave reads is not translated.
 */
export const CHILD_ENVIRONMENT = {
  passed: ['PATH', 'HOME', 'USER', 'LOGNAME', 'TZ'],
  fixed: { LANG: 'C', LC_ALL: 'C' },
} as const;

/** What a campaign adds to {@link CHILD_ENVIRONMENT} and takes from it. */
export interface ChildEnvironmentPolicy {
  /** More variables to pass (the campaign's `commands.environment`, e.g. DOCKER_HOST). */
  readonly passed?: readonly string[];
  /** Secrets' variable names ({@link secretVariableNames}): never passed, even when named above. */
  readonly withheld?: readonly string[];
}

/**
 * The environment for a local command: {@link CHILD_ENVIRONMENT} and the policy's extra names,
 * taken from `parent`, without any variable the policy withholds (a secret whose name is one of
 * the passed ones still stays home).
 */
export function childEnvironment(
  parent: Readonly<Record<string, string | undefined>>,
  policy: ChildEnvironmentPolicy = {},
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of [...CHILD_ENVIRONMENT.passed, ...(policy.passed ?? [])]) {
    const value = parent[name];
    if (value !== undefined && !(policy.withheld ?? []).includes(name)) environment[name] = value;
  }
  environment.PATH ??= DEFAULT_CHILD_PATH;
  return { ...environment, ...CHILD_ENVIRONMENT.fixed };
}

/** The environment a campaign's local commands get, from dbwave's own `parent`. */
export function campaignChildEnvironment(
  campaign: Pick<Campaign, 'mysql' | 'notify' | 'commands' | 'ssh'>,
  parent: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return childEnvironment(parent, {
    passed: campaign.commands?.environment ?? [],
    withheld: secretVariableNames(campaign),
  });
}

/** The environment variables a campaign names for secrets: never handed to a command. */
export function secretVariableNames(campaign: Pick<Campaign, 'mysql' | 'notify' | 'ssh'>): string[] {
  const notify = campaign.notify;
  return [
    campaign.mysql?.passwordEnv,
    notify?.webhookEnv,
    ...(notify?.webhooks ?? []).map((webhook) => webhook.urlEnv),
    notify?.pagerduty?.routingKeyEnv,
    campaign.ssh?.passphraseEnv,
  ].filter((name): name is string => name !== undefined);
}
