import type { JournalRecord, StatsRecord, StepRecord } from '../engine/journal/journal-record.js';

/**
 * How far apart two samplings may put a server's start and still mean the same start: `Uptime`
 * counts whole seconds, and a reading's time is the midpoint of its queries.
 */
const SAME_START_SLACK_MS = 5_000;

/** The steps by which dbwave itself starts a server: a restart with one of them between is planned. */
const PLANNED_START_STEPS: ReadonlySet<StepRecord['step']> = new Set(['start', 'rollback-start']);

/** A restart seen between two samplings of one server (its start moved later). */
export interface SamplingRestart {
  /** When the earlier and the later sampling were journaled. */
  readonly after: string;
  readonly before: string;
  /** dbwave started the server between them (a `start` or `rollback-start` step). */
  readonly planned: boolean;
}

/** The crashes the error log told of at precheck: before the campaign touched the server. */
export interface CrashesBefore {
  readonly crashes: number;
  /** The first stamped line read, when one was: the history runs from there to `to`. */
  readonly from?: string;
  /** The precheck that read it. */
  readonly to: string;
  /** The whole log was read (false: only its last CRASH_HISTORY_MAX_BYTES). */
  readonly wholeLog: boolean;
}

/** The restarts dbwave did not do, seen between samplings since the server's upgrade. */
export interface RestartsSinceUpgrade {
  readonly unplannedRestarts: number;
  /** The upgrade's start (its `start` step succeeded). */
  readonly from: string;
  /** The latest sampling of the server: what is known runs until then. */
  readonly to: string;
  readonly samplings: number;
}

/** One server's crashes and unplanned restarts, before the campaign and since its upgrade. */
export interface ServerCrashes {
  readonly before?: CrashesBefore;
  readonly sinceUpgrade?: RestartsSinceUpgrade;
}

/**
 * The restarts between consecutive samplings of `server` (its own and those as a control), in
 * journal order: two samplings whose `serverStartedAt` (the reading's time less Uptime) differ
 * by more than a few seconds have a start between them, whether or not Uptime went down in
 * between (a sampling hours later has a larger Uptime even after a crash). Planned when dbwave
 * started the server between the two. Pure.
 */
export function restartsBetweenSamplings(
  records: readonly JournalRecord[],
  server: string,
): SamplingRestart[] {
  const samplings = records.filter(
    (record): record is StatsRecord & { serverStartedAt: string } =>
      record.kind === 'stats' && record.server === server && record.serverStartedAt !== undefined,
  );
  const starts = records
    .filter(
      (record): record is StepRecord =>
        record.kind === 'step' && record.server === server && PLANNED_START_STEPS.has(record.step),
    )
    .map((record) => Date.parse(record.at));
  const restarts: SamplingRestart[] = [];
  for (let index = 1; index < samplings.length; index++) {
    const earlier = samplings[index - 1];
    const later = samplings[index];
    if (earlier === undefined || later === undefined) continue;
    const moved = Date.parse(later.serverStartedAt) - Date.parse(earlier.serverStartedAt);
    if (moved <= SAME_START_SLACK_MS) continue;
    const from = Date.parse(earlier.at);
    const to = Date.parse(later.at);
    restarts.push({
      after: earlier.at,
      before: later.at,
      planned: starts.some((at) => at >= from && at <= to),
    });
  }
  return restarts;
}

/**
 * A server's crash counts from the journal alone: the precheck's reading of its error log
 * (before the campaign), and the unplanned restarts between its samplings since its upgrade's
 * start (the analysis gates', `compare`'s, the soak points' and the canary bake's). Pure.
 */
export function serverCrashes(records: readonly JournalRecord[], server: string): ServerCrashes {
  const steps = records.filter(
    (record): record is StepRecord => record.kind === 'step' && record.server === server,
  );
  const precheck = steps
    .filter((record) => record.step === 'precheck' && record.event === 'succeeded')
    .at(-1);
  const history = precheck?.step === 'precheck' ? precheck.detail?.crashHistory : undefined;
  const before: CrashesBefore | undefined =
    precheck === undefined || history === undefined
      ? undefined
      : {
          crashes: history.crashes,
          ...(history.logFrom === undefined ? {} : { from: history.logFrom }),
          to: precheck.at,
          wholeLog: history.wholeLog,
        };
  const upgradeStart = steps.find((record) => record.step === 'start' && record.event === 'succeeded');
  const sinceUpgrade =
    upgradeStart === undefined ? undefined : restartsSince(records, server, upgradeStart.at);
  return {
    ...(before === undefined ? {} : { before }),
    ...(sinceUpgrade === undefined ? {} : { sinceUpgrade }),
  };
}

function restartsSince(
  records: readonly JournalRecord[],
  server: string,
  from: string,
): RestartsSinceUpgrade | undefined {
  const since = Date.parse(from);
  const samplings = records.filter(
    (record) => record.kind === 'stats' && record.server === server && Date.parse(record.at) >= since,
  );
  const last = samplings.at(-1);
  if (last === undefined) return undefined;
  const unplanned = restartsBetweenSamplings(records, server).filter(
    (restart) => !restart.planned && Date.parse(restart.before) > since,
  );
  return { unplannedRestarts: unplanned.length, from, to: last.at, samplings: samplings.length };
}
