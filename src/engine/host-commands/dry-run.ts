import { formatDuration } from '../../core/duration.js';
import type { Campaign } from '../../model/campaign-schema.js';
import { TEMPLATE_COMMANDS, type TemplateCommand } from '../../model/campaign-templates.js';
import { templateVariables } from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { shellQuote } from '../../model/shell-quote.js';
import { discardOutput } from '../ports/server-connectors.js';
import { errorLogSizeCommand } from './error-log-size.js';
import { ShellHostCommands } from './shell-host-commands.js';

/**
 * What `dbwave run --dry-run` prints for one server: every command line and statement the step
 * machine would send, rendered and quoted exactly as it would send them. Connects to nothing.
 */
export function dryRunLines(server: ResolvedServer, campaign: Campaign, campaignFile: string): string[] {
  const templates = campaign.commands;
  if (!templates) return [`${server.name}: the campaign has no commands: block; nothing could run`];
  const commands = new ShellHostCommands({
    server,
    templates,
    variables: templateVariables(server, campaign),
    campaignFile,
    shell: () => Promise.reject(new Error('dry run')),
    output: discardOutput,
    clock: { now: () => 0, sleep: async () => undefined },
  });
  const rendered = new Map(TEMPLATE_COMMANDS.map((name) => [name, commands.render(name)]));
  const run = (name: TemplateCommand): string => rendered.get(name) ?? `(no ${name} command)`;
  const errorLog = server.errorLog === undefined ? '<@@log_error>' : shellQuote(server.errorLog);
  const dataDir = server.dataDir === undefined ? '<@@datadir>' : shellQuote(server.dataDir);
  const where = server.transport === 'local' ? 'local' : `ssh ${server.host}:${server.sshPort}`;
  const { preflush } = campaign;
  const lines = [
    `precheck        [${where}] ${run('running')}`,
    `precheck        [sql ${server.host}:${server.port}] SELECT VERSION(); SELECT @@GLOBAL.datadir, @@GLOBAL.log_error`,
    `precheck        [${where}] ${run('installedVersion')}`,
    `precheck        [${where}] ${server.errorLog === undefined ? 'stat -c %s -- <@@log_error>' : errorLogSizeCommand(server.errorLog)}`,
    `precheck        [${where}] df -Pk -- ${dataDir}`,
    'precheck        [sql] SELECT MAX(TIMESTAMPDIFF(SECOND, trx_started, NOW())) FROM information_schema.innodb_trx',
    ...(templates.prepare === undefined ? [] : [`prepare         [${where}] ${run('prepare')}`]),
    'baseline        (InnoDB statistics hook)',
    preflush.enabled
      ? `preflush        [sql] SET GLOBAL innodb_max_dirty_pages_pct = ${preflush.dirtyPagesPct}; SET GLOBAL innodb_io_capacity = ${preflush.ioCapacity}; wait for <= ${preflush.targetDirtyPages} dirty pages, until they stop falling for ${formatDuration(preflush.settle)}, or ${formatDuration(preflush.timeout)} (kept until the shutdown; restored if the run stops first)`
      : 'preflush        (disabled)',
    `window-open     [${campaign.maintenance.adapter}] open the 503 window`,
    'shutdown        [sql] SET GLOBAL innodb_fast_shutdown = 0',
    `shutdown        [${where}] ${run('stop')}`,
    `shutdown        [${where}] ${run('running')}  (polled) ; tail -c +OFFSET -- ${errorLog}`,
    `upgrade         [${where}] ${run('upgrade')}`,
    `upgrade         [${where}] ${run('installedVersion')}`,
    `start           [${where}] ${run('start')}`,
    `post-upgrade    [${where}] ${run('postUpgrade')}`,
    `verify          [sql] SELECT VERSION()  (expect ${campaign.to.version})`,
    'readiness-gates (health gates hook)',
    `window-close    [${campaign.maintenance.adapter}] close the 503 window`,
    'analysis-gates  (health gates hook)',
    `on failure      [${where}] ${run('stop')} ; ${run('rollback')} ; ${run('start')}  (expect ${campaign.from.version})`,
  ];
  return lines.map((line) => `${server.name}  ${line}`);
}
