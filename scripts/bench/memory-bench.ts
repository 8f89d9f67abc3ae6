/**
 * Target 5, in-process half: the engine with the unit tests' fakes, a real FileJournalStore (on
 * tmpfs, so fsync is cheap) and a fake clock, and every template command answering with output at
 * the shell's cap (64 KiB). Two runs, heap sampled after a forced gc:
 *
 * - a wave of thousands of servers, each with a long shutdown (many polls, each with full
 *   output): does the heap grow with servers or output?
 * - one server whose clean shutdown drains for hours of fake time while SQL still answers (ETA
 *   samples, progress events) and then is watched through the `running` command: does it grow
 *   with time?
 *
 * Runs in its own `node --expose-gc` process: `npx tsx scripts/bench/memory-bench.ts` prints
 * JSON; main.ts calls {@link runMemoryBench}.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { linearRegression } from 'simple-statistics';
import { EngineEvents } from '../../src/engine/events/engine-events.js';
import { FileJournalStore } from '../../src/engine/journal/file-journal-store.js';
import type { StepName } from '../../src/engine/journal/journal-record.js';
import { attachJournal } from '../../src/engine/journal/journal-subscriber.js';
import type { CommandResult } from '../../src/engine/ports/remote-shell.js';
import type { CommandOutputSink, ServerConnectors } from '../../src/engine/ports/server-connectors.js';
import { runWave } from '../../src/engine/wave/wave-runner.js';
import type { CommandTemplates } from '../../src/model/campaign-schema.js';
import type { TemplateCommand } from '../../src/model/campaign-templates.js';
import type { ResolvedServer } from '../../src/model/resolved-server.js';
import { fakeCampaign } from '../../test/unit/engine/fakes/fake-campaign.js';
import { FakeClock } from '../../test/unit/engine/fakes/fake-clock.js';
import type { FakeDbServer } from '../../test/unit/engine/fakes/fake-db-server.js';
import { FakeFleet, fakeServer } from '../../test/unit/engine/fakes/fake-fleet.js';
import { FakeHostCommands } from '../../test/unit/engine/fakes/fake-host-commands.js';
import { REPO_ROOT } from '../fleet/fleet-paths.js';

const OUTPUT_BYTES = 65_536;
const MiB = 1024 * 1024;

export interface HeapSeries {
  readonly label: string;
  /** x: servers finished, or shutdown polls. */
  readonly unit: string;
  readonly points: readonly (readonly [number, number])[];
  readonly startMiB: number;
  readonly endMiB: number;
  readonly maxMiB: number;
  /** Heap growth per `perUnits` units of x, KiB (least squares over the second half). */
  readonly slopeKiB: number;
  readonly perUnits: number;
  /** Output the fakes produced during the run, MiB: what would pile up if it were kept. */
  readonly outputMiB: number;
  /** Fake time the run covered, hours. */
  readonly fakeHours: number;
}

export interface MemoryBenchResult {
  readonly wave: HeapSeries;
  readonly longShutdown: HeapSeries;
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  return process.memoryUsage().heapUsed;
}

/** Every template command answers with output at the cap, freshly allocated (as a shell's buffer would be). */
class BigOutputCommands extends FakeHostCommands {
  constructor(
    host: FakeDbServer,
    server: ResolvedServer,
    templates: CommandTemplates,
    private readonly counter: { bytes: number },
  ) {
    super(host, server, templates);
  }

  protected override answer(step: StepName, command: TemplateCommand): CommandResult {
    const result = super.answer(step, command);
    // The fake host logs every call for the unit tests' assertions: not the engine's memory.
    this.host.calls.length = 0;
    this.host.roundTrips.length = 0;
    this.counter.bytes += OUTPUT_BYTES;
    // On stderr, which the engine only reads on failure: stdout stays what the fake printed.
    const noise = Buffer.alloc(Math.max(0, OUTPUT_BYTES - result.stderr.length), 'x').toString();
    return { ...result, stderr: `${result.stderr}${noise}` };
  }
}

function withBigOutput(fleet: FakeFleet, counter: { bytes: number }): ServerConnectors {
  return {
    ...fleet.connectors,
    hostCommands: (server, templates) =>
      new BigOutputCommands(fleet.host(server.name), server, templates, counter),
  };
}

/** Looks at every byte's length and keeps nothing: the state dir's store is an adapter's job. */
const countingSink: CommandOutputSink = { save: async (entry) => void entry.stdout.length };

function series(
  label: string,
  unit: string,
  points: [number, number][],
  perUnits: number,
  outputBytes: number,
  fakeMs: number,
): HeapSeries {
  const second = points.slice(Math.floor(points.length / 2));
  const { m } = linearRegression(second);
  const heaps = points.map(([, heap]) => heap);
  return {
    label,
    unit,
    points,
    startMiB: (heaps[0] ?? 0) / MiB,
    endMiB: (heaps.at(-1) ?? 0) / MiB,
    maxMiB: Math.max(...heaps) / MiB,
    slopeKiB: (m * perUnits) / 1024,
    perUnits,
    outputMiB: outputBytes / MiB,
    fakeHours: fakeMs / 3_600_000,
  };
}

async function engineRun(
  servers: readonly ResolvedServer[],
  concurrency: number,
  setUp: (host: FakeDbServer) => void,
  onEvent: (events: EngineEvents) => void,
): Promise<{ outputBytes: number; fakeMs: number }> {
  const stateDir = await mkdtemp(join('/dev/shm', 'dbwave-memory-bench-'));
  try {
    const clock = new FakeClock(undefined, { rememberSleeps: false });
    const fleet = new FakeFleet();
    for (const server of servers) setUp(fleet.host(server.name));
    const counter = { bytes: 0 };
    const campaign = fakeCampaign({
      concurrency: { wave: concurrency, perClass: concurrency },
      shutdown: { budget: '12h' },
    });
    const events = new EngineEvents();
    const journal = new FileJournalStore({ stateDir, campaign: 'memory', clock });
    attachJournal(events, journal);
    // A finished server's fake host and window are the fakes' state, not the engine's: dropped.
    events.on('outcome', async ({ server }) => {
      fleet.hosts.delete(server);
      fleet.window.open_.delete(server);
      fleet.window.log.length = 0;
    });
    onEvent(events);
    const started = clock.now();
    const result = await runWave({
      campaign,
      campaignFile: 'waves/memory.yaml',
      wave: 1,
      servers,
      connectors: withBigOutput(fleet, counter),
      window: fleet.window,
      events,
      clock,
      output: countingSink,
      history: [],
    });
    await journal.close();
    if (!result.ok)
      throw new Error(`memory bench: the fake wave failed: ${JSON.stringify(result.results[0])}`);
    return { outputBytes: counter.bytes, fakeMs: clock.now() - started };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Thousands of servers, each shutdown watched for `polls` polls with full output. */
async function waveSeries(serverCount: number, polls: number): Promise<HeapSeries> {
  const servers = Array.from({ length: serverCount }, (_, index) => fakeServer(`db${index + 1}`));
  const points: [number, number][] = [];
  let finished = 0;
  const every = Math.max(1, Math.floor(serverCount / 40));
  const run = await engineRun(
    servers,
    16,
    (host) => {
      host.exitAfterPolls = polls;
    },
    (events) => {
      events.on('outcome', async () => {
        finished += 1;
        if (finished % every === 0) points.push([finished, heapUsed()]);
      });
    },
  );
  return series(
    `wave of ${serverCount} fake servers, ${polls} shutdown polls each, 64 KiB per command`,
    'servers finished',
    points,
    1000,
    run.outputBytes,
    run.fakeMs,
  );
}

/** One server: `sqlPolls` drain polls while SQL answers, then `runningPolls` `running` polls. */
async function longShutdownSeries(sqlPolls: number, runningPolls: number): Promise<HeapSeries> {
  const points: [number, number][] = [];
  let polls = 0;
  const every = Math.floor((sqlPolls + runningPolls) / 40);
  const run = await engineRun(
    [fakeServer('db1')],
    1,
    (host) => {
      host.exitAfterPolls = runningPolls;
      let drainLeft = sqlPolls;
      // The fake stops answering SQL at once on stop; a long drain answers for hours first.
      Object.defineProperty(host, 'answersSql', {
        get: () => {
          if (!host.running) return false;
          if (!host.stopping) return true;
          if (drainLeft <= 0) return false;
          drainLeft -= 1;
          host.dirtyPages = Math.max(1, host.dirtyPages - 1);
          return true;
        },
      });
      host.dirtyPages = sqlPolls * 2;
    },
    (events) => {
      events.on('progress', async (event) => {
        if (event.step !== 'shutdown') return;
        polls += 1;
        if (polls % every === 0) points.push([polls, heapUsed()]);
      });
    },
  );
  return series(
    `one server, clean shutdown drained ${sqlPolls} polls with SQL then ${runningPolls} 'running' polls`,
    'shutdown polls',
    points,
    1000,
    run.outputBytes,
    run.fakeMs,
  );
}

export async function memoryBenchInProcess(): Promise<MemoryBenchResult> {
  const wave = await waveSeries(1_000, 40);
  const longShutdown = await longShutdownSeries(3_000, 3_000);
  return { wave, longShutdown };
}

/** Runs the bench in a child `node --expose-gc` process and returns what it measured. */
export async function runMemoryBench(): Promise<MemoryBenchResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'scripts/bench/memory-bench.ts'],
    { cwd: REPO_ROOT, maxBuffer: 64 * MiB },
  );
  return JSON.parse(stdout) as MemoryBenchResult;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await memoryBenchInProcess())}\n`);
}
