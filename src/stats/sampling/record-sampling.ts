import type { JournalEntry } from '../../engine/journal/journal-record.js';
import type { HookContext } from '../../engine/ports/engine-hooks.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { WarmupOutcome } from './buffer-pool-warmup.js';
import { type ControlSampling, type InnodbSampling, sampleWithControls } from './innodb-sampler.js';

/** How a sampling reaches servers and the journal: the engine's connectors and journal. */
export interface SamplingPorts {
  /** Appends a record to the campaign's journal (JournalStore.append). */
  record(entry: JournalEntry): Promise<unknown>;
  /** A new SQL session to a control server (ServerConnectors.sql); closed here. */
  sql(server: ResolvedServer): Promise<SqlSession>;
}

/** What a sampling needs to know of the server it samples (the engine's HookContext fits). */
export type SamplingContext = Pick<HookContext, 'server' | 'campaign' | 'wave' | 'clock' | 'signal' | 'sql'>;

export interface RecordedSampling {
  readonly target: InnodbSampling;
  readonly controls: readonly ControlSampling[];
}

/**
 * Samples a server (and its controls, over the same period) and journals one StatsRecord per
 * server: the server's under `phase`, each control's as `control` with `controlFor` and
 * `controlPhase`. A control that cannot be reached or sampled just takes no part.
 */
export async function recordSampling(
  context: SamplingContext,
  ports: SamplingPorts,
  phase: 'baseline' | 'after' | 'recheck',
  controls: readonly ResolvedServer[],
  warmup?: WarmupOutcome,
): Promise<RecordedSampling> {
  const opened = await Promise.all(
    controls.map((control) =>
      ports.sql(control).then(
        (session) => ({ server: control.name, session }),
        () => undefined,
      ),
    ),
  );
  const sessions = opened.filter((entry) => entry !== undefined);
  try {
    const { stats } = context.campaign;
    const result = await sampleWithControls(await context.sql(), sessions, {
      clock: context.clock,
      samples: stats.samples,
      intervalMs: stats.interval,
      signal: context.signal,
    });
    const { wave } = context;
    await ports.record({
      kind: 'stats',
      wave,
      server: context.server.name,
      phase,
      ...result.target,
      ...(warmup === undefined ? {} : { warmup }),
    });
    for (const control of result.controls) {
      if (!('sampling' in control)) continue;
      await ports.record({
        kind: 'stats',
        wave,
        server: control.server,
        phase: 'control',
        controlFor: context.server.name,
        controlPhase: phase,
        ...control.sampling,
      });
    }
    return result;
  } finally {
    await Promise.all(sessions.map((entry) => entry.session.close().catch(() => undefined)));
  }
}
