import type { Argv, CommandModule } from 'yargs';
import { processServices } from '../../app/command-services.js';
import type { StatusArguments } from '../../app/show-status.js';
import { interruptibleHandler } from '../interruptible-handler.js';
import { planPositional, stateDirOption } from '../shared-options.js';

/** `dbwave status PLAN`: see showStatus. */
export const statusCommand: CommandModule<object, StatusArguments> = {
  command: 'status <plan>',
  describe: "Each server's state, step, timings and 503 window from the journal; --every broadcasts it",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('plan', planPositional)
      .option('wave', {
        type: 'number',
        describe: 'Wave number (default: the one the journal last wrote about)',
      })
      .option('json', {
        type: 'boolean',
        describe: 'JSON: the lock and the wave report (JSON lines with --every)',
      })
      .option('every', {
        type: 'string',
        describe: 'Broadcast a short update at this interval (e.g. 30m) until the wave ends',
      })
      .option('webhook', {
        type: 'string',
        describe:
          "POST each update as Slack-compatible JSON to this URL (default: the URL in the campaign's notify.webhookEnv, which keeps its token out of ps: prefer it)",
      })
      .option('state-dir', stateDirOption)
      .example('$0 status waves/mysql-5.1.58.plan.yaml', 'one table, now')
      .example(
        '$0 status waves/mysql-5.1.58.plan.yaml --every 30m',
        "a status every 30 minutes, posted to the webhook in the campaign's notify.webhookEnv",
      ),
  handler: (argv) =>
    interruptibleHandler(async (signal) =>
      (await import('../../app/show-status.js')).showStatus(argv, { ...processServices(), signal }),
    ),
};
