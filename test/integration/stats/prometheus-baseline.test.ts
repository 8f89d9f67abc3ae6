import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { firstFreePort, isListening } from '../../../scripts/fleet/ports.js';
import { ensurePackages } from '../../../scripts/fleet/prerequisites.js';
import { type CampaignAdapters, campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { compareWave } from '../../../src/app/compare-wave.js';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { FileJournalStore } from '../../../src/engine/journal/file-journal-store.js';
import type { StatsRecord } from '../../../src/engine/journal/journal-record.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { serverResolver } from '../../../src/model/resolve-server.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { sampleInnodb } from '../../../src/stats/sampling/innodb-sampler.js';
import { loadFleet, sql } from '../fleet/fleet-fixture.js';

/**
 * The history baseline end to end: Debian's prometheus-mysqld-exporter scrapes a fleet server,
 * Debian's Prometheus scrapes the exporter, and seven past days of that server's series at this
 * hour are backfilled with `promtool tsdb create-blocks-from openmetrics` before Prometheus
 * starts. The server was quiet in the minute sampled before its window and is busy now (commits
 * in a loop): the sampled minute reads that as the upgrade's effect (queries up, `compare`
 * fails), while its history says this hour is busy on a normal day, between 0.5 and 1.8 times
 * today's rate (`compare` passes). Prometheus and the exporter run on ports of their own and
 * stop after the file.
 */

const run = promisify(execFile);
const fleet = loadFleet();
const DAY_MS = 86_400_000;
/**
 * The commits per second the loop paces itself to: far below what one connection can do even on
 * a loaded machine, so that the rate `compare` sees is the rate the history was written for.
 */
const COMMITS_PER_SECOND = 50;
/** The past days' rates at this hour, as multiples of the paced rate: a normal daily swing. */
const DAILY_FACTORS = [1, 0.5, 1.8, 0.7, 1.5, 0.6, 1.7, 1.1];

let folder: string;
let target: ResolvedServer;
let control: ResolvedServer;
let wave: number;
let prometheusUrl: string;
const children: ChildProcess[] = [];
const campaignFiles: string[] = [];
let stopLoad: (() => Promise<void>) | undefined;
let adapters: CampaignAdapters;

beforeAll(async () => {
  await ensurePackages(() => undefined);
  folder = await mkdtemp(join(tmpdir(), 'dbwave-prom-baseline-'));
  const inventory = await loadInventory(fleet.campaign);
  const resolver = serverResolver(inventory.classes, inventory.campaign);
  const small = resolver.all().filter((server) => server.class === 'fleet-small');
  const [first, second] = small;
  if (first === undefined || second === undefined) throw new Error('the fleet needs two fleet-small servers');
  target = first;
  control = second;
  adapters = await campaignAdapters({ campaign: inventory.campaign, campaignFile: inventory.campaignFile });

  const [exporterPort, prometheusPort] = [
    await firstFreePort(['127.0.0.1'], range(19_104, 40)),
    await firstFreePort(['127.0.0.1'], range(19_190, 40)),
  ];
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

  // The exporter reads its credentials from a my.cnf of its own (never argv).
  const myCnf = join(folder, 'exporter.my.cnf');
  await writeFile(
    myCnf,
    `[client]\nuser=${fleet.mysql.user}\npassword=${fleet.mysql.password}\nhost=${target.host}\nport=${target.port}\n`,
    { mode: 0o600 },
  );
  children.push(
    spawn(
      'prometheus-mysqld-exporter',
      [`--web.listen-address=127.0.0.1:${exporterPort}`, `--config.my-cnf=${myCnf}`],
      { stdio: 'ignore' },
    ),
  );

  stopLoad = await commitInALoop();
  const rate = await queryRate();

  // Seven past days (and one more) of the exporter's series at this hour, as Prometheus would
  // have scraped them: the same labels as the live scrape below.
  const labels = `job="mysqld",instance="127.0.0.1:${exporterPort}",server="${target.name}"`;
  const openMetrics = backfill(labels, rate, Date.now());
  const input = join(folder, 'history.om');
  const data = join(folder, 'prometheus-data');
  await writeFile(input, openMetrics);
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data]);

  const config = join(folder, 'prometheus.yml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: '5s' },
      scrape_configs: [
        {
          job_name: 'mysqld',
          static_configs: [{ targets: [`127.0.0.1:${exporterPort}`], labels: { server: target.name } }],
        },
      ],
    }),
  );
  children.push(
    spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--storage.tsdb.retention.time=30d',
      ],
      { stdio: 'ignore' },
    ),
  );
  await until(async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok === true);
  await until(async () => (await isListening('127.0.0.1', exporterPort)) && (await scraped()) === 1);

  const loaded = await writeCampaignsAndPlan();
  wave = loaded;
}, 300_000);

afterAll(async () => {
  await stopLoad?.();
  await adapters?.close();
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all(campaignFiles.map((file) => rm(file, { force: true })));
  await rm(folder, { recursive: true, force: true });
});

describe('a history baseline from Prometheus', () => {
  it('passes a server busy at its normal daily level that the sampled minute would have failed', async () => {
    expect(await scraped()).toBe(1);

    const minute = await compare('minute');
    expect(minute.output).toMatch(/baseline sampled [0-9]+ s before the window/);
    expect(minute.output).toMatch(/queries\s+fail/);
    expect(minute.status).toBe(1);

    const history = await compare('history');
    expect(history.output).toContain(`baseline Prometheus ${prometheusUrl}, 7 day(s) at this hour`);
    expect(history.output).toMatch(/queries\s+pass .*daily swing/);
    expect(history.status).toBe(0);

    const stats = await journaledStats();
    const journaled = stats.filter((record) => record.phase === 'history').at(-1);
    expect(journaled?.history?.for).toBe('recheck');
    expect(journaled?.history?.fellBack).toBeUndefined();
    expect(journaled?.history?.daysWithData).toBeGreaterThanOrEqual(6);
    expect(journaled?.series.queries?.length).toBeGreaterThan(30);
  });

  it('falls back to the sampled minute, and says why, when Prometheus does not answer', async () => {
    const unreachable = await compare('unreachable');
    expect(unreachable.output).toMatch(
      /baseline sampled [0-9]+ s before the window \(Prometheus .*unreachable/,
    );
    expect(unreachable.status).toBe(1);
    const journaled = (await journaledStats()).filter((record) => record.phase === 'history').at(-1);
    expect(journaled?.history?.fellBack).toMatch(/^unreachable: /);
  });
});

type Variant = 'minute' | 'history' | 'unreachable';
const planFiles = new Map<Variant, string>();

/** The fleet's campaign three ways, beside it (its relative paths hold): one plan each. */
async function writeCampaignsAndPlan(): Promise<number> {
  const original = parse(await readFile(fleet.campaign, 'utf8')) as Record<string, unknown>;
  const closedPort = await firstFreePort(['127.0.0.1'], range(19_290, 40));
  const baselines: Record<Variant, unknown> = {
    minute: undefined,
    history: { prometheus: prometheusUrl, days: 7, labels: { server: '{{name}}' } },
    unreachable: {
      prometheus: `http://127.0.0.1:${closedPort}`,
      labels: { server: '{{name}}' },
      timeout: '2s',
    },
  };
  let index = 0;
  for (const variant of ['minute', 'history', 'unreachable'] as const) {
    const file = join(dirname(fleet.campaign), `prom-baseline-${variant}-${process.pid}.yaml`);
    const campaign = {
      ...original,
      stats: {
        ...(original.stats as object | undefined),
        samples: 4,
        interval: '2s',
        controls: 1,
        // The campaign judges its query rate (informational by default): the workload metric a
        // daily swing moves most. The commit loop moves fsyncs and the purge lag by a varying
        // little, which this test does not judge.
        thresholds: {
          queries: { relative: 0.5, floor: 1, direction: 'higher-is-worse' },
          data_fsyncs: { relative: 0.5, floor: 1_000_000 },
          history_list_length: { relative: 0.5, floor: 1_000_000 },
        },
      },
      ...(baselines[variant] === undefined ? {} : { baseline: baselines[variant] }),
    };
    await writeFile(file, stringify(campaign));
    campaignFiles.push(file);
    const planFile = join(folder, `${variant}.plan.yaml`);
    const quiet = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => process.stderr.write(text) },
    };
    expect(await planCampaign({ campaign: file, out: planFile }, quiet)).toBe(0);
    planFiles.set(variant, planFile);
    const loaded = await loadPlan(planFile);
    const found = loaded.plan.waves.find((candidate) =>
      candidate.servers.some((server) => server.name === target.name),
    );
    if (found === undefined) throw new Error(`${target.name} is in no wave`);
    index = found.index;
    if (variant === 'minute') await journalQuietBaseline(loaded.plan.campaign, index);
  }
  return index;
}

/** The minute before the window, taken before the commit loop: a quiet server, its control beside it. */
async function journalQuietBaseline(campaign: string, index: number): Promise<void> {
  const journal = new FileJournalStore({ stateDir: join(folder, 'state'), campaign, clock: systemClock });
  for (const [server, entry] of quietSamplings) {
    await journal.append({
      kind: 'stats',
      wave: index,
      server,
      ...(server === target.name
        ? { phase: 'baseline' as const }
        : { phase: 'control' as const, controlFor: target.name, controlPhase: 'baseline' as const }),
      ...entry,
    });
  }
  await journal.append({ kind: 'outcome', wave: index, server: target.name, outcome: 'Upgraded' });
  await journal.close();
}

const quietSamplings = new Map<string, NonNullable<Awaited<ReturnType<typeof sampleInnodb>>>>();

async function compare(variant: Variant): Promise<{ output: string; status: number }> {
  let output = '';
  const status = await compareWave(
    { plan: planFiles.get(variant) ?? '', wave, server: target.name, stateDir: join(folder, 'state') },
    {
      streams: { stdout: { write: (text: string) => (output += text) }, stderr: { write: () => true } },
      clock: systemClock,
      cwd: process.cwd(),
      signal: new AbortController().signal,
    },
  );
  console.log(output);
  return { output, status };
}

async function journaledStats(): Promise<StatsRecord[]> {
  const loaded = await loadPlan(planFiles.get('minute') ?? '');
  const store = new FileJournalStore({
    stateDir: join(folder, 'state'),
    campaign: loaded.plan.campaign,
    clock: systemClock,
  });
  const records = (await store.read()).records;
  await store.close();
  return records.filter((record): record is StatsRecord => record.kind === 'stats');
}

/**
 * Samples the quiet minute first (target and control), then commits one row at a time on the
 * target, paced, until stopped: its query rate is the load's own measure.
 */
async function commitInALoop(): Promise<() => Promise<void>> {
  for (const server of [target, control]) {
    const sampled = await sampleFor(server);
    if (sampled === undefined) throw new Error(`could not sample ${server.name}`);
    quietSamplings.set(server.name, sampled);
  }
  const connection = await sql(fleet, fleetServer(target.name));
  await connection.query('CREATE DATABASE IF NOT EXISTS dbwave_history_test');
  await connection.query(
    'CREATE TABLE IF NOT EXISTS dbwave_history_test.commits (id INT AUTO_INCREMENT PRIMARY KEY, at BIGINT) ENGINE=InnoDB',
  );
  let running = true;
  const loop = (async () => {
    let next = Date.now();
    while (running) {
      await connection.query('INSERT INTO dbwave_history_test.commits (at) VALUES (?)', [Date.now()]);
      // Paced, never catching up in a burst after a stall.
      next = Math.max(next + 1000 / COMMITS_PER_SECOND, Date.now());
      await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => undefined);
    await connection.query('DROP DATABASE IF EXISTS dbwave_history_test').catch(() => undefined);
    await connection.end();
  };
}

/** The target's queries per second under the paced loop, as dbwave samples it: the loop keeps pace. */
async function queryRate(): Promise<number> {
  const values = (await sampleFor(target))?.series.queries ?? [];
  const rate = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  if (!(rate > COMMITS_PER_SECOND / 2)) throw new Error(`the commit loop gives only ${rate} queries/s`);
  return COMMITS_PER_SECOND;
}

/** Four 2 s intervals of the server, through dbwave's own MySQL adapter and sampler. */
async function sampleFor(server: ResolvedServer) {
  const session = await adapters.connectors.sql(server);
  try {
    return await sampleInnodb(session, { clock: systemClock, samples: 4, intervalMs: 2_000 });
  } finally {
    await session.close();
  }
}

/**
 * OpenMetrics text of the exporter's Questions counter on each past day, from 45 minutes before
 * to 45 after this time of day, one sample every 15 s, at that day's rate. Oldest first: a
 * series' samples must come in time order.
 */
function backfill(labels: string, rate: number, now: number): string {
  const name = 'mysql_global_status_questions';
  const lines = [`# TYPE ${name} unknown`];
  let total = 0;
  for (let daysAgo = DAILY_FACTORS.length; daysAgo >= 1; daysAgo--) {
    const factor = DAILY_FACTORS[daysAgo - 1] ?? 1;
    const centre = now - daysAgo * DAY_MS;
    for (let at = centre - 2_700_000; at <= centre + 2_700_000; at += 15_000) {
      total += rate * factor * 15;
      lines.push(`${name}{${labels}} ${total.toFixed(0)} ${(at / 1000).toFixed(3)}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

/** mysql_up for the target as Prometheus scraped it just now: the exporter reaches the server. */
async function scraped(): Promise<number | undefined> {
  const response = await fetch(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`mysql_up{server="${target.name}"}`)}`,
  ).catch(() => undefined);
  if (response?.ok !== true) return undefined;
  const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value?.[1];
  return value === undefined ? undefined : Number(value);
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for Prometheus and the exporter');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => from + index);
}

function fleetServer(name: string) {
  const found = fleet.servers.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no server ${name} in the fleet`);
  return found;
}
