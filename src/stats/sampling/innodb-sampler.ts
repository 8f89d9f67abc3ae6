import type { Clock } from '../../engine/ports/clock.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import {
  type AbsentInnodbSource,
  absentInnodbSources,
  FLAVOUR_QUERY,
  type ServerFlavour,
  serverFlavour,
} from '../../model/server-flavour.js';
import { type MetricSeries, seriesFromReadings } from '../compare/series-from-readings.js';
import type { StatusReading } from '../compare/status-reading.js';
import { StatusReader } from './status-reader.js';

export interface SamplingOptions {
  readonly clock: Clock;
  /** campaign stats.samples: intervals measured (samples + 1 readings). */
  readonly samples: number;
  /** campaign stats.interval. */
  readonly intervalMs: number;
  /** Keep raw `Innodb_*` and `innodb_metrics.*` series beside the catalog (default true). */
  readonly includeRaw?: boolean;
  readonly signal?: AbortSignal;
}

/** One sampling of one server, in the StatsRecord's shape: spread it into the journal entry. */
export interface InnodbSampling {
  readonly intervalMs: number;
  readonly series: MetricSeries;
  readonly droppedIntervals: number;
  /** The sources this server's flavour does not have, left unread, and why (none: omitted). */
  readonly skipped?: readonly AbsentInnodbSource[];
  /**
   * When the server last started (ISO): the last reading's time less its `Uptime`. Two samplings
   * that disagree on it have a restart between them (analysis/crash-count.ts).
   */
  readonly serverStartedAt?: string;
}

/**
 * Samples a server's InnoDB statistics: `samples + 1` readings `intervalMs` apart on the
 * injected clock (each sleep aims at the next slot, so slow queries do not stretch the
 * sampling), turned into per-interval rates and gauge readings. Never compares raw counters.
 */
export async function sampleInnodb(session: SqlSession, options: SamplingOptions): Promise<InnodbSampling> {
  const server = await readServerFlavour(session);
  const reader = new StatusReader(session, options.clock, server);
  const readings: StatusReading[] = [await reader.read()];
  const start = options.clock.now();
  for (let index = 1; index <= options.samples; index++) {
    const wait = start + index * options.intervalMs - options.clock.now();
    if (wait > 0) await options.clock.sleep(wait, options.signal);
    readings.push(await reader.read());
  }
  const { series, droppedIntervals } = seriesFromReadings(
    readings,
    options.includeRaw === undefined ? {} : { includeRaw: options.includeRaw },
  );
  const skipped = absentInnodbSources(server);
  const last = readings.at(-1);
  const serverStartedAt =
    last?.uptimeSeconds === undefined
      ? undefined
      : new Date(last.atMs - last.uptimeSeconds * 1000).toISOString();
  return {
    intervalMs: options.intervalMs,
    series,
    droppedIntervals,
    ...(skipped.length === 0 ? {} : { skipped }),
    ...(serverStartedAt === undefined ? {} : { serverStartedAt }),
  };
}

/**
 * The sampled server's flavour, which decides where its InnoDB statistics are read. A server
 * that does not answer the question is sampled as an unknown one: asked everywhere.
 */
async function readServerFlavour(session: SqlSession): Promise<ServerFlavour | undefined> {
  try {
    const [row] = await session.query(FLAVOUR_QUERY);
    return serverFlavour(String(row?.version ?? ''), String(row?.comment ?? ''));
  } catch {
    return undefined;
  }
}

export interface ControlSession {
  readonly server: string;
  readonly session: SqlSession;
}

export type ControlSampling =
  | { readonly server: string; readonly sampling: InnodbSampling }
  | { readonly server: string; readonly error: unknown };

/**
 * Samples a server and its controls over the same period, side by side. A control that fails
 * only drops out of the comparison (its error comes back for the journal); the server's own
 * failure rejects.
 */
export async function sampleWithControls(
  target: SqlSession,
  controls: readonly ControlSession[],
  options: SamplingOptions,
): Promise<{ readonly target: InnodbSampling; readonly controls: readonly ControlSampling[] }> {
  const [own, others] = await Promise.all([
    sampleInnodb(target, options),
    Promise.all(
      controls.map((control) =>
        sampleInnodb(control.session, options).then(
          (sampling): ControlSampling => ({ server: control.server, sampling }),
          (error: unknown): ControlSampling => ({ server: control.server, error }),
        ),
      ),
    ),
  ]);
  return { target: own, controls: others };
}
