import { parseDuration } from '../core/duration.js';
import { ExitStatus, UsageError } from '../core/errors.js';
import { inspectLock, isProcessAlive, type LockInspection } from '../engine/lock/campaign-lock.js';
import type { RunnerLease } from '../engine/lock/runner-lease.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import type { Clock } from '../engine/ports/clock.js';
import { type LoadedPlan, loadPlan } from '../inventory/load-plan.js';
import { currentWave, renderStatusText, statusJson } from '../report/render-status.js';
import { broadcastStatus } from '../report/status-broadcaster.js';
import { statusUpdateText } from '../report/status-update.js';
import type { WaveReport } from '../report/wave-report.js';
import { postToWebhook, webhookHost } from '../report/webhook-poster.js';
import { openCampaignState } from './campaign-state.js';
import { type CommandServices, processIdentity } from './command-services.js';
import { planWave } from './wave-context.js';
import { readJournal, reportFor } from './wave-journal-report.js';

/** The flags of `dbwave status`. */
export interface StatusArguments {
  readonly plan: string;
  readonly wave?: number | undefined;
  readonly json?: boolean | undefined;
  readonly every?: string | undefined;
  readonly webhook?: string | undefined;
  readonly stateDir?: string | undefined;
}

/** What `dbwave status` is given: the process's services, and what a broadcast loop needs. */
export interface StatusServices extends CommandServices {
  /** Ends a broadcast loop (SIGINT in the CLI). */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** Poll interval of the broadcast loop; tests shorten it. */
  readonly pollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

async function snapshot(
  loaded: LoadedPlan,
  stateDir: string,
  waveIndex: number | undefined,
  clock: Clock,
): Promise<WaveReport> {
  const journal = await readJournal(loaded, stateDir, clock);
  const wave = planWave(loaded, waveIndex ?? currentWave(journal.records, loaded.plan.waves));
  return reportFor({ loaded, wave }, journal, clock.now());
}

/** The runners' leases of a shared (MySQL) store; undefined for the file store, whose lock says it. */
async function sharedStoreRunners(
  loaded: LoadedPlan,
  stateDir: string,
  clock: Clock,
): Promise<readonly RunnerLease[] | undefined> {
  const { campaign, campaignFile } = loaded.inventory;
  const state = await openCampaignState({ campaign, campaignFile, stateDir, clock });
  try {
    return state.shared ? await state.holders() : undefined;
  } finally {
    await state.close();
  }
}

/** The lock as the first runner's lease says it, so that `lock` in --json means the same for both stores. */
function lockOfRunners(runners: readonly RunnerLease[], now: number): LockInspection {
  const first = runners[0];
  if (first === undefined) return { state: 'free' };
  const heartbeatAgeMs = Math.max(0, now - Date.parse(first.owner.heartbeat));
  return { state: first.expired ? 'stale' : 'held', owner: first.owner, heartbeatAgeMs };
}

/**
 * `dbwave status PLAN`: each server's state, step, timings and window from the journal, and who
 * holds the lock. With `--every`, one short update per interval (and at once when something new
 * needs a person) to stdout and to `--webhook`, until the wave finishes or SIGINT. Exit 0 unless
 * the plan or the journal cannot be read.
 */
export async function showStatus(args: StatusArguments, services: StatusServices): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile } = loaded.inventory;
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const timezone = loaded.plan.timezone;
  const webhookUrl =
    args.webhook ??
    (campaign.notify?.webhookEnv === undefined
      ? undefined
      : (services.env ?? process.env)[campaign.notify.webhookEnv]);
  if (args.every === undefined) {
    if (args.webhook !== undefined) throw new UsageError('--webhook needs --every (the broadcast interval)');
    const report = await snapshot(loaded, stateDir, args.wave, services.clock);
    const runners = await sharedStoreRunners(loaded, stateDir, services.clock);
    const lock =
      runners === undefined
        ? await inspectLock({ stateDir, clock: services.clock, identity: processIdentity(), isProcessAlive })
        : lockOfRunners(runners, services.clock.now());
    services.streams.stdout.write(
      args.json === true
        ? `${JSON.stringify(statusJson(report, lock, runners), null, 2)}\n`
        : renderStatusText(report, lock, timezone, runners),
    );
    return ExitStatus.Ok;
  }
  const everyMs = parseDuration(args.every);
  if (everyMs === undefined || everyMs < 1_000) {
    throw new UsageError(`--every ${args.every}: give an interval such as 30m or 90s (at least 1s)`);
  }
  await broadcastStatus({
    everyMs,
    ...(services.pollMs === undefined ? {} : { pollMs: services.pollMs }),
    clock: services.clock,
    ...(services.signal === undefined ? {} : { signal: services.signal }),
    snapshot: () => snapshot(loaded, stateDir, args.wave, services.clock),
    publish: async (report) => {
      const text = statusUpdateText(report, timezone);
      services.streams.stdout.write(
        args.json === true ? `${JSON.stringify({ at: report.generatedAt, text })}\n` : `${text}\n`,
      );
      if (webhookUrl === undefined) return;
      const result = await postToWebhook(text, {
        url: webhookUrl,
        clock: services.clock,
        ...(services.fetch === undefined ? {} : { fetch: services.fetch }),
        ...(services.signal === undefined ? {} : { signal: services.signal }),
      });
      if (!result.ok) {
        services.streams.stderr.write(
          `dbwave: status not delivered to ${webhookHost(webhookUrl)} after ${result.attempts} attempts (${result.error}); the wave goes on\n`,
        );
      }
    },
  });
  return ExitStatus.Ok;
}
