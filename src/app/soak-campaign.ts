import { soakPointLabel } from '../core/duration.js';
import { ExitStatus } from '../core/errors.js';
import { replayJournal } from '../engine/journal/journal-replay.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import {
  nextSoakDue,
  type SoakPointStatus,
  soakPointSettled,
  soakSchedule,
  waveEndedAt,
} from '../engine/wave/soak-schedule.js';
import { loadPlan } from '../inventory/load-plan.js';
import { formatInstant } from '../report/report-format.js';
import type { CommandServices } from './command-services.js';
import { DEFAULT_SOAK_POLL_MS, takeDueSoakPoints } from './soak-round.js';
import { planWave } from './wave-context.js';
import { readJournal } from './wave-journal-report.js';

/** The flags of `dbwave soak`. */
export interface SoakArguments {
  readonly plan: string;
  /** `--wave N`: only this wave's points, and wait for it to end if it has not. */
  readonly wave?: number | undefined;
  readonly stateDir?: string | undefined;
}

/** What `dbwave soak` is given: the process's services, Ctrl-C, and how often it looks. */
export interface SoakServices extends CommandServices {
  readonly signal: AbortSignal;
  /**
   * The longest it sleeps between two looks at the journal (default 15 s): it sleeps until the
   * next point is due, but a wave that ends or a campaign another process releases is only seen
   * by looking.
   */
  readonly pollMs?: number;
}

/**
 * `dbwave soak PLAN [--wave N]`: left running by a DBA, it takes each soak point of the campaign's
 * waves as it comes due (and journals as missed the ones nothing took in time). It exits once
 * every wave it watches has ended and each of its points is taken or missed: with --wave N, that
 * wave; without, every wave of the plan (so it waits through the whole campaign). Exit 1 when a
 * server of those waves failed its soak and still runs the new version, 0 otherwise; Ctrl-C
 * stops it at once (a point it was taking is taken again by the next process that looks).
 */
export async function soakCampaign(args: SoakArguments, services: SoakServices): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile } = loaded.inventory;
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const waves =
    args.wave === undefined
      ? loaded.plan.waves.map((wave) => wave.index)
      : [planWave(loaded, args.wave).index];
  const say = (line: string): void => {
    services.streams.stdout.write(`${line}\n`);
  };
  if (campaign.soak.points.length === 0) {
    say(`${campaign.campaign} has no soak points (soak.points is empty): nothing to take`);
    return ExitStatus.Ok;
  }
  say(
    `dbwave soak: watching wave${waves.length > 1 ? 's' : ''} ${waves.join(', ')} of ${campaign.campaign}, points ${campaign.soak.points.map(soakPointLabel).join(', ')} after each wave ends (Ctrl-C stops; nothing is lost)`,
  );
  const pollMs = Math.max(1, services.pollMs ?? DEFAULT_SOAK_POLL_MS);
  let lastBusy: string | undefined;
  let lastWaiting: string | undefined;
  while (!services.signal.aborted) {
    const round = await takeDueSoakPoints({
      loaded,
      stateDir,
      waves,
      services,
      signal: services.signal,
      say,
    });
    if (round.busy !== undefined && round.busy !== lastBusy)
      say(`a soak point is due; waiting: ${round.busy}`);
    lastBusy = round.busy;
    if (services.signal.aborted) break;
    const { records } = await readJournal(loaded, stateDir, services.clock);
    const now = services.clock.now();
    const schedules = waves.map((wave) => ({
      wave,
      ended: waveEndedAt(records, wave) !== undefined,
      points: soakSchedule(records, wave, campaign.soak, now),
    }));
    if (schedules.every((entry) => entry.ended && entry.points.every(soakPointSettled))) {
      const replay = replayJournal(records);
      const failed = schedules.flatMap((entry) =>
        failedServers(entry.points).filter((server) => replay.servers.get(server)?.outcome === 'Upgraded'),
      );
      say(
        failed.length === 0
          ? 'dbwave soak: every soak point of the waves watched is taken or missed'
          : `dbwave soak: every soak point is taken or missed; FAILED on ${failed.join(', ')}`,
      );
      return failed.length === 0 ? ExitStatus.Ok : ExitStatus.Unhealthy;
    }
    const nextDue = nextSoakDue(schedules.flatMap((entry) => entry.points));
    const waiting =
      nextDue === undefined
        ? `waiting for wave ${schedules.find((entry) => !entry.ended)?.wave ?? '?'} to end`
        : `next soak point due ${formatInstant(new Date(nextDue).toISOString(), loaded.plan.timezone)}`;
    if (waiting !== lastWaiting) say(`dbwave soak: ${waiting}`);
    lastWaiting = waiting;
    const sleepMs = Math.max(1, Math.min(pollMs, (nextDue ?? Number.POSITIVE_INFINITY) - now));
    try {
      await services.clock.sleep(sleepMs, services.signal);
    } catch {
      break;
    }
  }
  say('dbwave soak: stopped; the points not taken yet are taken by the next dbwave soak or status --every');
  return ExitStatus.Ok;
}

function failedServers(points: readonly SoakPointStatus[]): string[] {
  return [
    ...new Set(
      points.flatMap((point) =>
        point.servers.filter((record) => record.verdict === 'fail').map((record) => record.server),
      ),
    ),
  ];
}
