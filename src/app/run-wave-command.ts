import { ExitStatus, UsageError } from '../core/errors.js';
import { dryRunLines } from '../engine/host-commands/dry-run.js';
import { serversDue } from '../engine/wave/wave-timing.js';
import { describeChange } from '../model/campaign-change.js';
import { serverSelector } from '../model/server-selector.js';
import { driveWave } from './drive-wave.js';
import { confirmWithOperator, refuseUnconfirmable } from './operator-confirmation.js';
import type { RunServices } from './run-services.js';
import { type ConfirmedWaveArguments, loadRunnableWave, resolveServers } from './runnable-wave.js';
import { topologyPrecheck } from './topology-precheck.js';
import { dayToRun, describeWhen } from './wave-day.js';
import { readJournal } from './wave-journal-report.js';
import { checkWaveOrder, type OrderOverrideArguments, requestedOverride } from './wave-order-check.js';

/** The flags of `dbwave run`. */
export interface RunArguments extends ConfirmedWaveArguments, OrderOverrideArguments {
  /** `--dry-run`: print every command, connect to nothing. */
  readonly dryRun?: boolean | undefined;
  readonly metricsPort?: number | undefined;
  /** The address /metrics listens on (default loopback, see metrics-server.ts). */
  readonly metricsHost?: string | undefined;
  readonly metricsTextfile?: string | undefined;
  /** `--only KEY=VALUE`, repeatable: this runner's share of the wave (model/server-selector.ts). */
  readonly only?: readonly string[] | undefined;
}

/**
 * `dbwave run PLAN --wave N`: runs (or resumes) one wave of a plan. Checks the plan, the date and
 * the operator's confirmation, takes the campaign's lock, then hands the wave to the engine with
 * the real adapters and prints plain progress lines. Exit 0 only when every server of the wave
 * is Upgraded or AlreadyUpgraded.
 */
export async function runWaveCommand(args: RunArguments, services: RunServices): Promise<ExitStatus> {
  const { streams, clock } = services;
  const requested = requestedOverride(args);
  const only = args.only === undefined || args.only.length === 0 ? undefined : serverSelector(args.only);
  const runnable = await loadRunnableWave(args, services.cwd);
  const { loaded, wave, shownCampaign } = runnable;
  const { campaign } = loaded.inventory;
  const timezone = loaded.plan.timezone;
  const day = dayToRun(wave, args, timezone, clock.now());
  const due = resolveServers(
    runnable,
    serversDue(wave, day).map((server) => server.name),
  );
  const servers = only === undefined ? due : due.filter(only);
  if (servers.length === 0 && due.length > 0) {
    throw new UsageError(
      `no server of wave ${wave.index} due ${describeWhen(day, timezone)} matches --only ${(args.only ?? []).join(' --only ')}`,
    );
  }

  if (args.dryRun === true) {
    streams.stdout.write(`# dry run of wave ${wave.index}: nothing is connected to, nothing is written\n`);
    for (const server of servers) {
      streams.stdout.write(`${dryRunLines(server, campaign, shownCampaign).join('\n')}\n\n`);
    }
    return ExitStatus.Ok;
  }

  // Asked before the operator is, so that nobody confirms a wave that will be refused; asked
  // again under the lock (driveWave), on the journal as it is then.
  const journal = await readJournal(runnable.loaded, runnable.stateDir, clock);
  const orderOverride = checkWaveOrder(runnable, args.plan, journal.records, requested, clock.now());
  if (orderOverride !== undefined) {
    streams.stdout.write(
      `Wave ${wave.index} runs OUT OF ORDER (--override-order: ${orderOverride.reason}); overridden:\n${orderOverride.refusals.map((refusal) => `  - ${refusal}`).join('\n')}\n`,
    );
  }

  if (args.yes !== true) {
    if (!services.interactive) refuseUnconfirmable('run');
    const confirmed = await confirmWithOperator({
      services,
      campaign,
      heading: `Wave ${wave.index} of ${campaign.campaign}: ${describeChange(campaign)}, ${describeWhen(day, timezone)}`,
      serverLines: servers.map(
        (server) =>
          `  ${server.name}  ${server.class}${server.cluster ? `  ${server.cluster}/${server.role ?? ''}` : ''}  ${server.host}`,
      ),
      question: `Run wave ${wave.index} on these ${servers.length} servers?`,
    });
    if (!confirmed) return ExitStatus.Unhealthy;
  }

  return driveWave({
    runnable,
    plan: args.plan,
    runner: args.runner,
    metricsPort: args.metricsPort,
    metricsHost: args.metricsHost,
    metricsTextfile: args.metricsTextfile,
    services,
    action: 'run',
    servers: () => due,
    ...(only === undefined ? {} : { only }),
    order: (history) => checkWaveOrder(runnable, args.plan, history, requested, clock.now()),
    precheck: (connectors, due, holdView) => {
      const ask = services.askAboutClients;
      return topologyPrecheck({
        inventory: loaded.inventory,
        servers: due,
        sql: (server) => connectors.sql(server),
        streams,
        ...(ask === undefined || args.yes === true || !services.interactive
          ? {}
          : { ask: (lines: readonly string[]) => holdView(() => ask(lines)) }),
      });
    },
  });
}
