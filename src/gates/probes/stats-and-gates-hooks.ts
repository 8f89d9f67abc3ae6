import type { StatsRecord } from '../../engine/journal/journal-record.js';
import type { EngineHooks, HookContext, HookVerdict } from '../../engine/ports/engine-hooks.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import {
  type ControlSampling,
  compareInnodb,
  type InnodbComparison,
} from '../../stats/compare/innodb-comparison.js';
import { waitForWarmup } from '../../stats/sampling/buffer-pool-warmup.js';
import { recordSampling, type SamplingPorts } from '../../stats/sampling/record-sampling.js';
import { type GatePhase, type GateVerdict, worstVerdict } from '../gate-verdict.js';
import {
  decideInconclusive,
  type InconclusiveAction,
  type InconclusiveDecision,
} from '../inconclusive-decision.js';
import { runAnalysisGates } from './analysis-gates.js';
import type { GateRunContext, TimedGateVerdict } from './gate-run-context.js';
import { runReadinessGates } from './readiness-gates.js';

/** What the hooks need beyond the HookContext: the journal, the controls and the terminal. */
export interface StatsAndGatesPorts extends SamplingPorts {
  /**
   * Every journaled StatsRecord about a server: its own (`server`) and its controls'
   * (`controlFor`), this run's and earlier runs', in journal order. After a crash of dbwave the
   * analysis gate finds its baseline here.
   */
  statsFor(server: string): Promise<readonly StatsRecord[]>;
  /**
   * Same-class servers to sample as controls: not yet upgraded, not in flight, reachable by
   * `sql`. The hooks take at most campaign `stats.controls` of them.
   */
  controlsFor(server: ResolvedServer): Promise<readonly ResolvedServer[]>;
  /** At a terminal: asks the DBA about inconclusive gates; undefined leaves it to the campaign. */
  ask?(
    server: string,
    phase: GatePhase,
    verdicts: readonly GateVerdict[],
  ): Promise<InconclusiveAction | undefined>;
}

/**
 * The stats and gates as the engine's hooks:
 * - `baseline`: samples the server and its controls, journals `stats` records (phase baseline).
 * - `readinessGates`: inside the window, journals one `gate` record per gate (phase readiness).
 * - `analysisGates`: waits for the buffer pool load and the warm-up, samples the server and the
 *   same controls again (phase after), compares, runs the analysis gates, journals them.
 * - `rollbackGates`: the readiness gates again, expecting the `from` version (phase rollback).
 * An inconclusive result is decided by the DBA at a terminal (`ask`) or by campaign
 * gates.inconclusive: `continue` passes, `rollback` fails the hook (the server is rolled back)
 * and `pause` returns the engine's `pause` verdict (see HookVerdict for where that leaves it).
 *
 * Wiring (`dbwave run`): `record` must append through the very store the engine's journal
 * subscriber writes to (one FileJournalStore, wrapped once by the run's observers), so that
 * `seq` never repeats; `statsFor` reads that journal's stats records; `controlsFor` gives
 * same-class servers whose replayed outcome is NotExecuted, PrecheckFailed or RolledBack (not in
 * flight, still on the old version); `ask` only when stdin and stdout are a terminal.
 */
export function createStatsAndGatesHooks(ports: StatsAndGatesPorts): EngineHooks {
  return {
    baseline: (context) => takeBaseline(context, ports),
    readinessGates: async (context) =>
      decide(
        context,
        ports,
        'readiness',
        await runReadinessGates(await gateContext(context, context.campaign.to.version)),
      ),
    analysisGates: (context) => analyse(context, ports),
    rollbackGates: async (context) =>
      decide(
        context,
        ports,
        'rollback',
        await runReadinessGates(await gateContext(context, context.campaign.from.version)),
      ),
  };
}

async function takeBaseline(context: HookContext, ports: StatsAndGatesPorts): Promise<HookVerdict> {
  if (!context.campaign.gates.innodb)
    return { verdict: 'pass', detail: { stats: 'off (gates.innodb: false)' } };
  const controls = (await ports.controlsFor(context.server)).slice(0, context.campaign.stats.controls);
  const sampled = await recordSampling(context, ports, 'baseline', controls);
  return {
    verdict: 'pass',
    detail: {
      metrics: Object.keys(sampled.target.series).length,
      droppedIntervals: sampled.target.droppedIntervals,
      controls: sampled.controls.filter((control) => 'sampling' in control).map((control) => control.server),
    },
  };
}

async function analyse(context: HookContext, ports: StatsAndGatesPorts): Promise<HookVerdict> {
  const { campaign } = context;
  let innodb: InnodbComparison | undefined;
  let innodbError: string | undefined;
  if (campaign.gates.innodb) {
    // A server that cannot be sampled fails its reachable gate below; this gate only says why it has no numbers.
    innodb = await compareAfterWarmup(context, ports).catch((error: unknown) => {
      innodbError = error instanceof Error ? error.message : String(error);
      return undefined;
    });
  }
  const verdicts = await runAnalysisGates({
    ...(await gateContext(context, campaign.to.version)),
    innodb,
    ...(innodbError === undefined ? {} : { innodbError }),
  });
  return decide(context, ports, 'analysis', verdicts);
}

/** Waits out the warm-up, samples the server and its baseline's controls again, and compares. */
async function compareAfterWarmup(
  context: HookContext,
  ports: StatsAndGatesPorts,
): Promise<InnodbComparison | undefined> {
  const { campaign, server } = context;
  const stats = await ports.statsFor(server.name);
  const baseline = stats
    .filter((record) => record.server === server.name && record.phase === 'baseline')
    .at(-1);
  const controlBaselines = new Map(
    stats
      .filter(
        (record) => record.controlFor === server.name && (record.controlPhase ?? 'baseline') === 'baseline',
      )
      .map((record) => [record.server, record.series]),
  );
  const controls = (await ports.controlsFor(server)).filter((candidate) =>
    controlBaselines.has(candidate.name),
  );
  const warmup = await waitForWarmup(await context.sql(), {
    clock: context.clock,
    warmupMs: campaign.stats.warmup,
    loadTimeoutMs: campaign.stats.bufferPoolLoadTimeout,
    signal: context.signal,
  });
  const sampled = await recordSampling(context, ports, 'after', controls, warmup);
  if (baseline === undefined) return undefined;
  const paired: ControlSampling[] = [];
  for (const control of sampled.controls) {
    const before = controlBaselines.get(control.server);
    if ('sampling' in control && before !== undefined) {
      paired.push({ server: control.server, baseline: before, after: control.sampling.series });
    }
  }
  return compareInnodb(
    { baseline: baseline.series, after: sampled.target.series, controls: paired },
    campaign.stats,
  );
}

/** The gate runners' context from the engine's: a server or host that does not answer becomes a failing port. */
async function gateContext(context: HookContext, expectedVersion: string): Promise<GateRunContext> {
  const session = await context.sql().catch((error: unknown) => unreachableSession(error));
  const shell = await context.shell().catch((error: unknown) => unreachableShell(error));
  return {
    session,
    shell,
    clock: context.clock,
    server: context.server.role === undefined ? { name: context.server.name } : context.server,
    expectedVersion,
    errorLogFile: context.errorLog?.path ?? context.server.errorLog,
    errorLogOffset: context.errorLog?.startOffset,
    gates: context.campaign.gates,
    signal: context.signal,
  };
}

async function decide(
  context: HookContext,
  ports: StatsAndGatesPorts,
  phase: GatePhase,
  verdicts: readonly TimedGateVerdict[],
): Promise<HookVerdict> {
  const worst = worstVerdict(verdicts.map((verdict) => verdict.verdict));
  const ask = ports.ask;
  const decision: InconclusiveDecision | undefined =
    worst === 'inconclusive'
      ? await decideInconclusive(
          context.campaign.gates.inconclusive,
          ask === undefined ? undefined : () => ask.call(ports, context.server.name, phase, verdicts),
        )
      : undefined;
  for (const verdict of verdicts) {
    await ports.record({
      kind: 'gate',
      wave: context.wave,
      server: context.server.name,
      phase,
      gate: verdict.gate,
      verdict: verdict.verdict,
      evidence: verdict.evidence,
      durationMs: verdict.durationMs,
      ...(verdict.verdict === 'inconclusive' && decision !== undefined ? { decision } : {}),
    });
  }
  const detail = {
    gates: verdicts.map((verdict) => `${verdict.gate}:${verdict.verdict}`),
    gatesMs: verdicts.reduce((sum, verdict) => sum + verdict.durationMs, 0),
    ...(decision === undefined ? {} : { decision }),
  };
  if (worst === 'pass') return { verdict: 'pass', detail };
  const failing = verdicts.filter((verdict) => verdict.verdict === worst);
  const reason = failing
    .map((verdict) => `${verdict.gate} ${verdict.verdict}: ${verdict.evidence}`)
    .join('; ');
  if (worst === 'fail') return { verdict: 'fail', reason, detail };
  if (decision?.action === 'continue') return { verdict: 'pass', detail };
  return {
    verdict: decision?.action === 'pause' ? 'pause' : 'fail',
    reason: `${reason}; ${decision?.by ?? 'campaign'} chose ${decision?.action}`,
    detail,
  };
}

function unreachableSession(error: unknown): SqlSession {
  return { query: () => Promise.reject(error), close: async () => undefined };
}

function unreachableShell(error: unknown): RemoteShell {
  return { exec: () => Promise.reject(error), close: async () => undefined };
}
