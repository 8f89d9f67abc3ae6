import { DateTime } from 'luxon';
import { formatDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { redactUrl } from '../core/redact-url.js';
import type { FleetDiscovery } from '../gates/fleet-discovery.js';
import { describeChange, describePointOfNoReturn } from '../model/campaign-change.js';
import {
  type Campaign,
  type CommandTemplates,
  DEFAULT_BROADCAST_EVERY_MS,
} from '../model/campaign-schema.js';
import {
  renderCommand,
  renderTemplate,
  type TemplateSource,
  templateVariables,
} from '../model/command-template.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import type { PlannedWave } from '../model/plan.js';
import type { ServerResolver } from '../model/resolve-server.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { shutdownLimits } from '../model/shutdown-limits.js';
import { dayOwners } from '../planner/day-owners.js';
import { personLabel } from './in-charge.js';
import { checklistClientLines } from './render-discovery.js';
import { cell, table } from './render-markdown.js';
import { durationArgument } from './report-format.js';

export interface ChecklistInput {
  readonly campaign: Campaign;
  /** The campaign file as people name it (for template errors): `waves/mysql-5.1.58.yaml`. */
  readonly campaignFile: string;
  /** The plan file as the operator typed it: used in the commands the checklist prints. */
  readonly planFile: string;
  readonly timezone: string;
  readonly wave: PlannedWave;
  readonly classes: readonly HardwareClass[];
  readonly servers: ServerResolver;
  /** What the wave's servers said when the checklist asked them (`--clients`); absent otherwise. */
  readonly discovery?: FleetDiscovery;
  /** The wave's canaries (the first wave of a campaign with `canary`): they run first, then the bake. */
  readonly canaries?: readonly string[];
}

function localRange(start: string, end: string, timezone: string): string {
  const from = DateTime.fromISO(start, { setZone: true }).setZone(timezone);
  const to = DateTime.fromISO(end, { setZone: true }).setZone(timezone);
  const utcFrom = from.toUTC();
  const utcTo = to.toUTC();
  return `${from.toFormat('HH:mm')}–${to.toFormat('HH:mm ZZZZ')} (${utcFrom.toFormat('HH:mm')}–${utcTo.toFormat('HH:mm')} UTC)`;
}

/** A template rendered for one server, or the reason it cannot be (the checklist still prints). */
function rendered(
  template: string | undefined,
  server: ResolvedServer,
  input: ChecklistInput,
  key: string,
): string {
  if (template === undefined) return '(not configured)';
  const source: TemplateSource = { file: input.campaignFile, key };
  try {
    return `\`${renderCommand(template, templateVariables(server, input.campaign), source).replace(/`/g, '\\`')}\``;
  } catch (error) {
    return `**cannot render**: ${errorMessage(error)}`;
  }
}

function where(server: ResolvedServer, campaign: Campaign): string {
  if (server.transport === 'local') return 'on this machine';
  const ssh = campaign.ssh;
  if (ssh === undefined)
    return `over SSH as ${server.sshUser ?? '(ssh user not configured)'}@${server.host}:${server.sshPort}`;
  // What ssh.user and the port leave open is decided by ssh_config, host by host (docs/ssh.md).
  const user = server.sshUser ?? ssh.user ?? (ssh.config === undefined ? '(your user)' : '(ssh_config User)');
  const jump = ssh.proxyJump === undefined ? '' : ` via ${ssh.proxyJump}`;
  return `over SSH as ${user}@${server.host}:${server.sshPort}${jump}`;
}

function windowAction(server: ResolvedServer, input: ChecklistInput, action: 'open' | 'close'): string {
  const maintenance = input.campaign.maintenance;
  const variables = templateVariables(server, input.campaign);
  const source = (key: string): TemplateSource => ({ file: input.campaignFile, key: `maintenance.${key}` });
  try {
    switch (maintenance.adapter) {
      case 'haproxy': {
        const backend = renderTemplate(maintenance.backend, variables, source('backend'), (value) => value);
        const name = renderTemplate(maintenance.server, variables, source('server'), (value) => value);
        const state = action === 'open' ? 'maint' : 'ready';
        const drain =
          action === 'open' && maintenance.drainTimeout > 0
            ? ` after \`state drain\` and up to ${formatDuration(maintenance.drainTimeout)} for its sessions to end`
            : '';
        const apis = maintenance.sockets.length === 1 ? 'runtime API' : 'runtime APIs';
        return `HAProxy \`set server ${backend}/${name} state ${state}\`${drain} (${apis} ${maintenance.sockets.join(', ')})`;
      }
      case 'http': {
        const call = maintenance[action];
        const url = renderTemplate(call.url, variables, source(`${action}.url`), encodeURIComponent);
        return `HTTP ${call.method} ${redactUrl(url)}`;
      }
      case 'command':
        return `${rendered(maintenance[action], server, input, `maintenance.${action}`)} (${maintenance.transport === 'ssh' ? 'on the server' : 'on this machine'})`;
      case 'none':
        return 'no user-facing window (maintenance adapter `none`)';
    }
  } catch (error) {
    return `**cannot render**: ${errorMessage(error)}`;
  }
}

function daySection(input: ChecklistInput): string[] {
  const { campaign, wave, timezone } = input;
  const shutdown = campaign.shutdown;
  const { hardLimitMs } = shutdownLimits(campaign);
  const owners = dayOwners(campaign.owners);
  const inCharge = (date: string): string => {
    const owner = owners.get(date);
    return owner === undefined
      ? campaign.owners === undefined
        ? ''
        : '; in charge: NOBODY NAMED (add the day to owners.days)'
      : `; in charge: ${cell(personLabel(owner.name, owner.contact))}`;
  };
  const classLimits = input.classes
    .filter((hardwareClass) => hardwareClass.concurrency !== undefined)
    .map((hardwareClass) => `${hardwareClass.id} ${hardwareClass.concurrency}`);
  return [
    '## The day',
    '',
    ...wave.days.map(
      (day) =>
        `- ${day.date}: window ${localRange(day.windowStart, day.windowEnd, timezone)}, ${
          wave.servers.filter((server) => server.date === day.date).length
        } servers${inCharge(day.date)}`,
    ),
    campaign.kind === 'restart'
      ? `- Kind: ${describeChange(campaign)}${campaign.commands?.configure === undefined ? '' : '; the configuration is changed while each server is down'}`
      : `- Kind: upgrade ${campaign.from.version}${campaign.from.package ? ` (\`${campaign.from.package}\`)` : ''} → ${campaign.to.version}${
          campaign.to.package ? ` (\`${campaign.to.package}\`)` : ''
        }`,
    `- Per server: 503 window target ${formatDuration(campaign.target503)}; clean-shutdown budget ${formatDuration(shutdown.budget)}, then ${
      shutdown.overBudget === 'wait'
        ? `keep waiting up to ${formatDuration(hardLimitMs)}`
        : 'stop that server, start the old version and call a person'
    } (mysqld is never killed).`,
    `- Concurrency: ${campaign.concurrency.wave} at once${
      campaign.concurrency.perClass === undefined ? '' : `, ${campaign.concurrency.perClass} per class`
    }${classLimits.length === 0 ? '' : ` (class limits: ${classLimits.join(', ')})`}; never two of one cluster; replicas before their primary.`,
    `- Failure budget: ${campaign.failureBudget} — one failure more halts the wave (servers in flight finish or roll back).`,
    `- Point of no return: ${describePointOfNoReturn(campaign)}.`,
  ];
}

function contactsSection(input: ChecklistInput): string[] {
  const notify = input.campaign.notify;
  const every = durationArgument(notify?.every ?? DEFAULT_BROADCAST_EVERY_MS);
  const lines = ['## Who to tell', ''];
  if (notify === undefined || notify.contacts.length === 0) {
    lines.push(
      '- No contacts in the campaign: add `notify: { contacts: [...] }` so that this list is ready before the day.',
    );
  } else {
    for (const contact of notify.contacts)
      lines.push(`- [ ] ${cell(contact)}: before the window opens, at every status, when the wave ends`);
  }
  // The webhook URL carries a token: it is read from the variable the campaign names, never put
  // on the command line, where every user of the machine sees it in `ps`.
  const broadcast =
    notify?.webhookEnv === undefined
      ? ' (to post it to chat, set `notify.webhookEnv` in the campaign to the environment variable that holds the webhook URL)'
      : ` (it posts to the webhook in \`$${notify.webhookEnv}\`, the campaign's \`notify.webhookEnv\`)`;
  lines.push(
    `- Status every ${every}: \`dbwave status ${input.planFile} --wave ${input.wave.index} --every ${every}\`${broadcast}`,
    `- Hand-off: \`dbwave handoff ${input.planFile} --to NAME --note TEXT\` records it (status shows it, the next broadcast announces it); whoever takes over reads \`dbwave status\` and the report below, and takes over the status broadcast.`,
  );
  return lines;
}

function beforeSection(input: ChecklistInput): string[] {
  const plan = input.planFile;
  return [
    '## Before the window',
    '',
    `- [ ] The plan is valid and unchanged since review: \`dbwave check ${plan}\``,
    '- [ ] Backups of every server of the wave are recent and were test-restored',
    `- [ ] Nobody holds the campaign lock and no earlier wave left a server in flight: \`dbwave status ${plan}\``,
    `- [ ] The day's commands read right: \`dbwave run ${plan} --wave ${input.wave.index} --dry-run\``,
    '- [ ] The window is announced to the users of every shard below',
  ];
}

function prechecksSection(campaign: Campaign): string[] {
  const preflush = campaign.preflush;
  return [
    '## Prechecks (dbwave runs them per server; a failure opens no window and touches nothing)',
    '',
    '- SSH answers with a known host key; MySQL answers',
    campaign.kind === 'restart'
      ? `- The server reports ${campaign.from.version}`
      : `- The server reports ${campaign.from.version} (one already on ${campaign.to.version} counts as done and is skipped)`,
    ...(campaign.prechecks.systemdUnit === undefined
      ? []
      : [
          `- systemd unit ${campaign.prechecks.systemdUnit}: TimeoutStopSec at least the shutdown budget (shorter fails the precheck; shorter than the hard limit is an alert)`,
        ]),
    `- At least ${campaign.prechecks.minFreeDiskMb} MB free on the datadir's filesystem`,
    `- No transaction open longer than ${formatDuration(campaign.prechecks.maxTransactionAge)} (it would stretch the shutdown)`,
    preflush.enabled
      ? `- Pre-flush: innodb_max_dirty_pages_pct ${preflush.dirtyPagesPct} until at most ${preflush.targetDirtyPages} dirty pages, until they stop falling for ${formatDuration(preflush.settle)}, or for up to ${formatDuration(preflush.timeout)}; innodb_io_capacity ${preflush.ioCapacity}; both kept until the shutdown`
      : '- Pre-flush: off',
    `- Readiness gates inside the window: reachable, version ${campaign.to.version}, error log clean since start, replication running${
      campaign.gates.smokeQueries.length === 0
        ? ''
        : `, smoke queries (${campaign.gates.smokeQueries.map((query) => query.name).join(', ')})`
    }`,
    campaign.topologyPrecheck
      ? `- Before the first server, for the whole wave: each server's declared cluster and role match what the servers say (a mismatch stops the run), and a client not through the proxy nor in clients.expected asks the DBA (unanswered: ${campaign.clients.unexpected})`
      : '- Topology and client precheck: off (topologyPrecheck)',
    `- Analysis gates after the window: ${campaign.gates.innodb ? 'InnoDB rates against the baseline and same-class controls, ' : ''}error log, replication caught up within ${formatDuration(campaign.gates.replicationTimeout)}; inconclusive means: ${campaign.gates.inconclusive}`,
  ];
}

function commandLines(server: ResolvedServer, input: ChecklistInput): string[] {
  const commands: Partial<CommandTemplates> = input.campaign.commands ?? {};
  const to = input.campaign.to.version;
  const from = input.campaign.from.version;
  return [
    ...(commands.prepare === undefined
      ? []
      : [
          `- [ ] Prepare (before the window): ${rendered(commands.prepare, server, input, 'commands.prepare')}`,
        ]),
    `- [ ] Open the 503 window: ${windowAction(server, input, 'open')}`,
    `- [ ] \`SET GLOBAL innodb_fast_shutdown=0\`, then stop: ${rendered(commands.stop, server, input, 'commands.stop')}; wait for a clean exit (budget ${formatDuration(input.campaign.shutdown.budget)})`,
    input.campaign.kind === 'restart'
      ? commands.configure === undefined
        ? '- [ ] Nothing to change while down (a rolling restart without commands.configure)'
        : `- [ ] Configure (mysqld down): ${rendered(commands.configure, server, input, 'commands.configure')}`
      : `- [ ] Upgrade: ${rendered(commands.upgrade, server, input, 'commands.upgrade')}`,
    `- [ ] Start: ${rendered(commands.start, server, input, 'commands.start')}`,
    ...(commands.postUpgrade === undefined || input.campaign.kind === 'restart'
      ? []
      : [`- [ ] Post-upgrade: ${rendered(commands.postUpgrade, server, input, 'commands.postUpgrade')}`]),
    `- [ ] Verify ${to}${verifiedVariables(input.campaign)}: ${rendered(commands.installedVersion, server, input, 'commands.installedVersion')}; readiness gates pass`,
    `- [ ] Close the 503 window: ${windowAction(server, input, 'close')}`,
    `- Rollback: stop if running, ${commands.rollback === undefined ? 'nothing to undo' : rendered(commands.rollback, server, input, 'commands.rollback')}, start, verify ${from}, close the window (after the window: open a second one first).`,
  ];
}

function canarySection(input: ChecklistInput): string[] {
  const canary = input.campaign.canary;
  if (canary === undefined || input.canaries === undefined || input.canaries.length === 0) return [];
  return [
    '## Canary stage',
    '',
    `- [ ] The canaries run first: ${input.canaries.join(', ')}. No other server of the wave starts before their bake decides.`,
    `- [ ] The bake: ${formatDuration(canary.bake)} after the last canary, comparing each canary's InnoDB rates with its baseline and with same-class servers still on the old version every ${formatDuration(canary.every)}; \`dbwave status ${input.planFile} --wave ${input.wave.index}\` shows the countdown and the verdict so far.`,
    `- [ ] A fail stops the wave at once: the rest is not started and the failing canaries are rolled back; an inconclusive end goes as gates.inconclusive says (${input.campaign.gates.inconclusive}).`,
    '',
  ];
}

/** verify.variables as the checklist lists them: ` and innodb_buffer_pool_size = 268435456`. */
function verifiedVariables(campaign: Campaign): string {
  const entries = Object.entries(campaign.verify.variables);
  return entries.length === 0
    ? ''
    : ` and ${entries.map(([name, value]) => `${name} = ${value}`).join(', ')}`;
}

function serversSection(input: ChecklistInput): string[] {
  const lines = [
    '## Servers in execution order',
    '',
    ...table(
      ['#', 'Server', 'Class', 'Day', 'Host', 'Cluster / role', 'Shard'],
      input.wave.servers.map((planned, index) => {
        const server = input.servers.resolve(planned.name);
        return [
          index + 1,
          planned.name,
          planned.class,
          planned.date,
          server?.host ?? '(not in the fleet)',
          server?.cluster === undefined ? '-' : `${server.cluster} / ${server.role ?? '-'}`,
          server?.shard ?? '-',
        ];
      }),
    ),
    '',
  ];
  input.wave.servers.forEach((planned, index) => {
    const server = input.servers.resolve(planned.name);
    lines.push(`### ${index + 1}. ${planned.name} (${planned.class}, ${planned.date})`, '');
    if (server === undefined) {
      lines.push(
        '- **Not in the fleet**: the plan names a server no class file has; run `dbwave check`.',
        '',
      );
      return;
    }
    lines.push(`Commands run ${where(server, input.campaign)}.`, '', ...commandLines(server, input), '');
  });
  return lines;
}

function afterSection(input: ChecklistInput): string[] {
  const plan = input.planFile;
  const wave = input.wave.index;
  return [
    '## During and after',
    '',
    `- Run: \`dbwave run ${plan} --wave ${wave}\``,
    `- Watch: \`dbwave status ${plan} --wave ${wave}\`; metrics with \`--metrics-port\` on the run`,
    `- Report for the ticket: \`dbwave report ${plan} --wave ${wave} --format md\` (HTML: \`--format html --out wave-${wave}.html\`)`,
    "- Roll back: dbwave rolls a server back itself when a gate fails; each server's own rollback is listed above for a person",
    '- [ ] Every server is upgraded, or rolled back with its reason in the report',
    '- [ ] No 503 window is left open (the report lists every window with its close)',
    '- [ ] The contacts above are told the wave is over, with the report',
  ];
}

/** The day's runbook for one wave, as Markdown: ready (and printable) before the day. */
export function renderChecklist(input: ChecklistInput): string {
  const title =
    input.wave.name === undefined
      ? `wave ${input.wave.index}`
      : `wave ${input.wave.index} (${input.wave.name})`;
  const lines = [
    `# Checklist: ${input.campaign.campaign}, ${title}`,
    '',
    `${input.wave.servers.length} servers, ${input.wave.days.map((day) => day.date).join(', ')}, times in ${input.timezone}.`,
    '',
    ...daySection(input),
    '',
    ...contactsSection(input),
    '',
    ...beforeSection(input),
    '',
    ...prechecksSection(input.campaign),
    '',
    ...checklistClientLines(
      input.discovery,
      input.campaign.clients.expected.map((client) => `${client.user}@${client.host}`),
    ),
    '',
    ...canarySection(input),
    ...serversSection(input),
    ...afterSection(input),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
