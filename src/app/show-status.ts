import { relative } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { ExitStatus, UsageError } from '../core/errors.js';
import type { HandoffRecord } from '../engine/journal/journal-record.js';
import { inspectLock, isProcessAlive, type LockInspection } from '../engine/lock/campaign-lock.js';
import type { RunnerLease } from '../engine/lock/runner-lease.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import type { Clock } from '../engine/ports/clock.js';
import { type LoadedPlan, loadPlan } from '../inventory/load-plan.js';
import { dayOwners } from '../planner/day-owners.js';
import { HandoffAnnouncer } from '../report/handoff-announcer.js';
import { handoffsOf, inChargeOn, localDate } from '../report/in-charge.js';
import { currentWave, renderStatusText, type StatusPeople, statusJson } from '../report/render-status.js';
import { runGoneReason } from '../report/run-liveness.js';
import { broadcastStatus } from '../report/status-broadcaster.js';
import { StatusNotifier } from '../report/status-notifier.js';
import { statusUpdateText } from '../report/status-update.js';
import type { WaveReport } from '../report/wave-report.js';
import { openCampaignState } from './campaign-state.js';
import { type CommandServices, processIdentity } from './command-services.js';
import { resolveNotifyTargets } from './notify-targets.js';
import { takeDueSoakPoints } from './soak-round.js';
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
  /** Whether a pid of this host is alive (the lock's holder): process.kill(pid, 0) by default. */
  readonly isProcessAlive?: (pid: number) => boolean;
}

/** The wave's report, and the campaign's hand-offs (oldest first), from one read of the journal. */
async function waveReport(
  loaded: LoadedPlan,
  stateDir: string,
  waveIndex: number | undefined,
  clock: Clock,
): Promise<{ report: WaveReport; handoffs: readonly HandoffRecord[] }> {
  const journal = await readJournal(loaded, stateDir, clock);
  const wave = planWave(loaded, waveIndex ?? currentWave(journal.records, loaded.plan.waves));
  return { report: reportFor({ loaded, wave }, journal, clock.now()), handoffs: handoffsOf(journal.records) };
}

/** Who is in charge today (the campaign's time zone) and the latest hand-off, for `status`. */
function peopleNow(loaded: LoadedPlan, handoffs: readonly HandoffRecord[], now: number): StatusPeople {
  const { campaign } = loaded.inventory;
  const timezone = loaded.plan.timezone;
  const inCharge = inChargeOn(
    localDate(now, timezone),
    dayOwners(campaign.owners),
    campaign.owners?.people ?? [],
    handoffs,
    timezone,
  );
  const latest = handoffs.at(-1);
  return { inCharge, ...(latest === undefined ? {} : { latestHandoff: latest }) };
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
 * holds the lock. With `--every`, one short update per interval (and at once when what needs a
 * person changes, a soak point is taken, or the run is gone) to stdout and to the campaign's
 * webhooks and PagerDuty (`--webhook` replaces `notify.webhookEnv`'s URL), until the wave
 * finishes and its soak points are taken or missed, or SIGINT; meanwhile it takes the
 * campaign's due soak points itself (soak-round.ts). Exit 0 unless the plan or the journal
 * cannot be read.
 */
export async function showStatus(args: StatusArguments, services: StatusServices): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile } = loaded.inventory;
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const timezone = loaded.plan.timezone;
  const lockAndRunners = async (): Promise<{
    lock: LockInspection;
    runners: readonly RunnerLease[] | undefined;
  }> => {
    const runners = await sharedStoreRunners(loaded, stateDir, services.clock);
    const lock =
      runners === undefined
        ? await inspectLock({
            stateDir,
            clock: services.clock,
            identity: processIdentity(),
            isProcessAlive: services.isProcessAlive ?? isProcessAlive,
          })
        : lockOfRunners(runners, services.clock.now());
    return { lock, runners };
  };
  const lock = async (): Promise<LockInspection> => (await lockAndRunners()).lock;
  if (args.every === undefined) {
    if (args.webhook !== undefined) throw new UsageError('--webhook needs --every (the broadcast interval)');
    const { report, handoffs } = await waveReport(loaded, stateDir, args.wave, services.clock);
    const found = await lockAndRunners();
    const people = peopleNow(loaded, handoffs, services.clock.now());
    services.streams.stdout.write(
      args.json === true
        ? `${JSON.stringify(statusJson(report, found.lock, found.runners, people), null, 2)}\n`
        : renderStatusText(report, found.lock, timezone, found.runners, people),
    );
    return ExitStatus.Ok;
  }
  const everyMs = parseDuration(args.every);
  if (everyMs === undefined || everyMs < 1_000) {
    throw new UsageError(`--every ${args.every}: give an interval such as 30m or 90s (at least 1s)`);
  }
  const resolved = await resolveNotifyTargets({
    campaign,
    campaignFile,
    shownCampaignFile: relative(services.cwd, campaignFile) || campaignFile,
    env: services.env ?? process.env,
    webhookUrl: args.webhook,
  });
  for (const line of resolved.unset) services.streams.stderr.write(`dbwave: ${line}\n`);
  const notifier = new StatusNotifier({
    targets: resolved.targets,
    clock: services.clock,
    warn: (message) => services.streams.stderr.write(`dbwave: ${message}\n`),
    ...(services.fetch === undefined ? {} : { fetch: services.fetch }),
    ...(services.signal === undefined ? {} : { signal: services.signal }),
  });
  const announcer = new HandoffAnnouncer(everyMs);
  await broadcastStatus({
    everyMs,
    ...(services.pollMs === undefined ? {} : { pollMs: services.pollMs }),
    clock: services.clock,
    ...(services.signal === undefined ? {} : { signal: services.signal }),
    snapshot: async () => {
      // Whichever dbwave is alive for the campaign takes its due soak points: this one too.
      await takeDueSoakPoints({
        loaded,
        stateDir,
        waves: loaded.plan.waves.map((wave) => wave.index),
        services,
        signal: services.signal ?? new AbortController().signal,
        say: (line) =>
          (args.json === true ? services.streams.stderr : services.streams.stdout).write(`${line}\n`),
      }).catch((error: unknown) =>
        services.streams.stderr.write(
          `dbwave: soak points not taken this time: ${error instanceof Error ? error.message : String(error)}\n`,
        ),
      );
      const { report, handoffs } = await waveReport(loaded, stateDir, args.wave, services.clock);
      return { report, runGone: runGoneReason(report, await lock()), handoffs };
    },
    publish: async ({ report, runGone, handoffs }) => {
      const handoff = announcer.next(handoffs ?? [], services.clock.now());
      const text = statusUpdateText(report, timezone, runGone, handoff);
      services.streams.stdout.write(
        args.json === true ? `${JSON.stringify({ at: report.generatedAt, text })}\n` : `${text}\n`,
      );
      await notifier.publish({ report, text, runGone });
    },
  });
  return ExitStatus.Ok;
}
