import { compareAfterWarmup } from '../../analysis/after-warmup-comparison.js';
import type { AnalysisPorts } from '../../analysis/analysis-ports.js';
import { sampleBaseline } from '../../analysis/baseline-sampling.js';
import type { InnodbComparison } from '../../analysis/innodb-comparison.js';
import type { EngineHooks, HookContext, HookVerdict } from '../../engine/ports/engine-hooks.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import { type GatePhase, type GateVerdict, worstVerdict } from '../gate-verdict.js';
import {
  decideInconclusive,
  type InconclusiveAction,
  type InconclusiveDecision,
} from '../inconclusive-decision.js';
import { runAnalysisGates } from './analysis-gates.js';
import type { GateRunContext, TimedGateVerdict } from './gate-run-context.js';
import { runReadinessGates } from './readiness-gates.js';

/** What a question to the DBA is told besides the verdicts: when it ends, and what decides then. */
export interface QuestionTerms {
  /** Aborts when the question's time is up (or the run is interrupted): the prompt must close. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** The answer the campaign gives if nobody does in time (questions.default). */
  readonly defaultAnswer: InconclusiveAction;
}

/** What the hooks need beyond the HookContext: the journal, the controls and the terminal. */
export interface StatsAndGatesPorts extends AnalysisPorts {
  /**
   * At a terminal: asks the DBA about inconclusive gates; undefined leaves it to the campaign.
   * Only ever after the server's window (with the analysis gates), never inside it.
   */
  ask?(
    server: string,
    phase: GatePhase,
    verdicts: readonly GateVerdict[],
    terms?: QuestionTerms,
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
 * `seq` never repeats; `statsFor` reads that journal's stats records; `controlsFor` gives the
 * journal's controlCandidates (same class, still on the old version, not in flight); `ask` only
 * when stdin and stdout are a terminal.
 */
export function createStatsAndGatesHooks(ports: StatsAndGatesPorts): EngineHooks {
  // Inconclusive verdicts of the window that the campaign let through ('continue') while a DBA is
  // at the terminal: asked about after the window, with the analysis gates. By server name.
  const heldQuestions = new Map<string, readonly TimedGateVerdict[]>();
  // The readiness gates run twice: on the new version before users come back, and on the old
  // one after a rollback; only the phase they are journaled under and the version differ.
  const readinessOn =
    (phase: 'readiness' | 'rollback', version: (campaign: HookContext['campaign']) => string) =>
    async (context: HookContext): Promise<HookVerdict> =>
      decide(
        context,
        ports,
        phase,
        await runReadinessGates(await gateContext(context, version(context.campaign))),
        heldQuestions,
      );
  return {
    baseline: (context) => takeBaseline(context, ports),
    readinessGates: readinessOn('readiness', (campaign) => campaign.to.version),
    analysisGates: (context) => analyse(context, ports, heldQuestions),
    rollbackGates: readinessOn('rollback', (campaign) => campaign.from.version),
  };
}

async function takeBaseline(context: HookContext, ports: StatsAndGatesPorts): Promise<HookVerdict> {
  if (!context.campaign.gates.innodb)
    return { verdict: 'pass', detail: { stats: 'off (gates.innodb: false)' } };
  const sampled = await sampleBaseline(context, ports);
  return {
    verdict: 'pass',
    detail: {
      metrics: Object.keys(sampled.target.series).length,
      droppedIntervals: sampled.target.droppedIntervals,
      controls: sampled.controls.filter((control) => 'sampling' in control).map((control) => control.server),
    },
  };
}

async function analyse(
  context: HookContext,
  ports: StatsAndGatesPorts,
  heldQuestions: Map<string, readonly TimedGateVerdict[]>,
): Promise<HookVerdict> {
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
  const held = heldQuestions.get(context.server.name) ?? [];
  heldQuestions.delete(context.server.name);
  return decide(context, ports, 'analysis', [...verdicts, ...held.map(fromTheWindow)], heldQuestions);
}

/** A verdict of the window asked about after it: its evidence says where it came from. */
function fromTheWindow(verdict: TimedGateVerdict): TimedGateVerdict {
  return { ...verdict, evidence: `inside the window: ${verdict.evidence}`, durationMs: 0 };
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
  heldQuestions: Map<string, readonly TimedGateVerdict[]>,
): Promise<HookVerdict> {
  const worst = worstVerdict(verdicts.map((verdict) => verdict.verdict));
  const decision: InconclusiveDecision | undefined =
    worst === 'inconclusive' ? await decideOn(context, ports, phase, verdicts) : undefined;
  // The window's question, put off: the DBA hears of it after the window, with the analysis gates.
  if (phase === 'readiness' && decision?.action === 'continue' && ports.ask !== undefined)
    heldQuestions.set(
      context.server.name,
      verdicts.filter((verdict) => verdict.verdict === 'inconclusive'),
    );
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

/**
 * The decision on an inconclusive phase: inside a window (readiness, rollback) the campaign's
 * policy, never a question; after it, the DBA's answer within questions.timeout, else
 * questions.default (gates.inconclusive when unset).
 */
function decideOn(
  context: HookContext,
  ports: StatsAndGatesPorts,
  phase: GatePhase,
  verdicts: readonly GateVerdict[],
): Promise<InconclusiveDecision> {
  const { gates, questions } = context.campaign;
  const ask = ports.ask;
  const defaultAnswer = questions.default ?? gates.inconclusive;
  return decideInconclusive(
    gates.inconclusive,
    ask === undefined
      ? undefined
      : (signal) =>
          ask.call(ports, context.server.name, phase, verdicts, {
            signal,
            timeoutMs: questions.timeout,
            defaultAnswer,
          }),
    {
      insideWindow: phase !== 'analysis',
      limit: {
        timeoutMs: questions.timeout,
        answer: defaultAnswer,
        wait: (ms, signal) => context.clock.sleep(ms, signal),
      },
      signal: context.signal,
    },
  );
}

function unreachableSession(error: unknown): SqlSession {
  return { query: () => Promise.reject(error), close: async () => undefined };
}

function unreachableShell(error: unknown): RemoteShell {
  return { exec: () => Promise.reject(error), close: async () => undefined };
}
