import { recordMissedSoakPoint, type SoakPointOptions, takeSoakPoint } from '../analysis/soak-point.js';
import { formatDuration, soakPointLabel } from '../core/duration.js';
import { DbwaveError, ErrorCode } from '../core/errors.js';
import type { JournalRecord, SoakVerdictRecord } from '../engine/journal/journal-record.js';
import type { Clock } from '../engine/ports/clock.js';
import type { JournalStore } from '../engine/ports/journal-store.js';
import { soakRollbackAdvice } from '../engine/wave/soak-rollback-advice.js';
import { type SoakPointStatus, soakPointActionable, soakSchedule } from '../engine/wave/soak-schedule.js';
import type { LoadedPlan } from '../inventory/load-plan.js';
import { type ServerResolver, serverResolver } from '../model/resolve-server.js';
import type { ResolvedServer } from '../model/resolved-server.js';
import { type CommandServices, processIdentity } from './command-services.js';
import { withSamplingSession } from './sampling-session.js';
import { readJournal } from './wave-journal-report.js';

/** How long a process that takes soak points sleeps between looks at the journal at most, unless told otherwise. */
export const DEFAULT_SOAK_POLL_MS = 15_000;

/** What one look at a campaign's soak points needs. */
export interface SoakRoundOptions {
  readonly loaded: LoadedPlan;
  readonly stateDir: string;
  /** The waves whose points this process takes (`dbwave soak --wave N`: one; otherwise every wave). */
  readonly waves: readonly number[];
  readonly services: CommandServices;
  /** Ends a sampling early (Ctrl-C): the point stays interrupted and is taken again. */
  readonly signal: AbortSignal;
  /** Where it says what it did, a line at a time. */
  readonly say: (line: string) => void;
}

/** What one look did. */
export interface SoakRound {
  /** Points taken (with their servers' verdicts) or journaled missed, by wave. */
  readonly settled: readonly { readonly wave: number; readonly point: SoakPointStatus }[];
  /** Another dbwave holds the campaign (a run, a compare, another soak): it is tried again later. */
  readonly busy?: string;
}

/**
 * Takes every soak point of `waves` that is due, and journals as missed every one that nothing
 * took within the tolerance. Holds the campaign while it does (the lock decides who takes a
 * point: two processes never take the same one), and looks at the journal again once it holds
 * it, so a point another process took meanwhile is not taken twice. A campaign held by another
 * process is left for the next look.
 */
export async function takeDueSoakPoints(options: SoakRoundOptions): Promise<SoakRound> {
  const { loaded, services } = options;
  const before = await readJournal(loaded, options.stateDir, services.clock);
  if (actionableSoakPoints(loaded, options.waves, before.records, services.clock.now()).length === 0)
    return { settled: [] };
  try {
    return await withSamplingSession(
      {
        inventory: loaded.inventory,
        stateDir: options.stateDir,
        purpose: 'soak',
        services,
      },
      async ({ journal, adapters }) => ({
        settled: await settleDueSoakPoints({
          loaded,
          waves: options.waves,
          journal,
          sql: (server) => adapters.connectors.sql(server),
          metricHistory: adapters.metricHistory,
          clock: services.clock,
          signal: options.signal,
          say: options.say,
        }),
      }),
    );
  } catch (error) {
    // Another holder: the file store's lock (held, or lost to it mid-round) or the MySQL store's
    // live lease; all say ErrorCode.Locked. The points stay due for the next round.
    if (error instanceof DbwaveError && error.code === ErrorCode.Locked)
      return { settled: [], busy: error.message.split('\n')[0] ?? '' };
    throw error;
  }
}

/** What settling the due soak points needs once the campaign is held: its journal and SQL. */
export interface HeldSoakOptions {
  readonly loaded: LoadedPlan;
  readonly waves: readonly number[];
  /** The campaign's journal, held by this process (a soak's sampling session, or a run's store). */
  readonly journal: Pick<JournalStore, 'append' | 'read'>;
  readonly sql: SoakPointOptions['sql'];
  /** The campaign's `baseline.prometheus`, when it names one: the soak compares with history. */
  readonly metricHistory?: SoakPointOptions['metricHistory'];
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

/** The points of `waves` to take or to journal missed now, by the journal's records. */
function actionableSoakPoints(
  loaded: LoadedPlan,
  waves: readonly number[],
  records: readonly JournalRecord[],
  now: number,
): { wave: number; point: SoakPointStatus }[] {
  const { soak } = loaded.inventory.campaign;
  return waves.flatMap((wave) =>
    soakSchedule(records, wave, soak, now)
      .filter(soakPointActionable)
      .map((point) => ({ wave, point })),
  );
}

/**
 * Takes, one at a time, every soak point of `waves` that is due, and journals missed every one
 * nothing took within the tolerance, by a process that holds the campaign (`dbwave soak`,
 * `status --every`, or a `run` of a later wave: the same code for all). The journal is read again
 * before each point: what is due is what it says now, so a point is never taken twice.
 */
export async function settleDueSoakPoints(
  options: HeldSoakOptions,
): Promise<{ wave: number; point: SoakPointStatus }[]> {
  const { loaded, journal, clock } = options;
  const { campaign } = loaded.inventory;
  const settled: { wave: number; point: SoakPointStatus }[] = [];
  const resolver = serverResolver(loaded.inventory.classes, campaign);
  const identity = processIdentity();
  for (;;) {
    if (options.signal.aborted) break;
    const history = await journal.read();
    const next = actionableSoakPoints(loaded, options.waves, history.records, clock.now())[0];
    if (next === undefined) break;
    const { wave, point } = next;
    const label = `wave ${wave} soak ${soakPointLabel(point.pointMs)}`;
    if (point.state === 'missed') {
      const record = await recordMissedSoakPoint(journal, wave, point, identity, clock.now());
      options.say(
        `${label}: MISSED, nothing was running to take it (${formatDuration(record.lateMs)} late, tolerance ${formatDuration(campaign.soak.tolerance)})`,
      );
      settled.push(next);
      continue;
    }
    const late = Math.max(0, clock.now() - Date.parse(point.dueAt));
    options.say(`${label}: taking it${late >= 1000 ? `, ${formatDuration(late)} late` : ''}`);
    const verdicts = await takeSoakPoint({
      campaign,
      wave,
      servers: waveServers(loaded, wave, resolver),
      fleet: resolver.all(),
      history: history.records,
      journal,
      sql: options.sql,
      metricHistory: options.metricHistory,
      clock,
      signal: options.signal,
      point,
      operator: identity,
    });
    if (verdicts === undefined) {
      options.say(`${label}: interrupted; the next dbwave soak or status --every takes it again`);
      break;
    }
    for (const line of describeVerdicts(label, verdicts, loaded.shownPlanFile, wave)) options.say(line);
    settled.push(next);
  }
  return settled;
}

/** The plan's servers of `wave`, resolved, in plan order. */
function waveServers(loaded: LoadedPlan, wave: number, resolver: ServerResolver): ResolvedServer[] {
  const planned = loaded.plan.waves.find((candidate) => candidate.index === wave)?.servers ?? [];
  return planned
    .map((server) => resolver.resolve(server.name))
    .filter((server): server is ResolvedServer => server !== undefined);
}

function describeVerdicts(
  label: string,
  verdicts: readonly SoakVerdictRecord[],
  plan: string,
  wave: number,
): string[] {
  const failed = verdicts.filter((record) => record.verdict === 'fail').map((record) => record.server);
  return [
    `${label}: ${verdicts.length === 0 ? 'no upgraded server to compare' : verdicts.map((record) => `${record.server} ${record.verdict}`).join(', ')}`,
    ...verdicts
      .filter((record) => record.verdict !== 'pass')
      .map((record) => `  ${record.server}: ${record.evidence}`),
    ...soakRollbackAdvice(plan, wave, failed),
  ];
}
