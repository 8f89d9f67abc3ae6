import { describe, expect, it } from 'vitest';
import { EngineEvents } from '../../../src/engine/events/engine-events.js';
import type { JournalEntry, StatsRecord } from '../../../src/engine/journal/journal-record.js';
import type { HookContext } from '../../../src/engine/ports/engine-hooks.js';
import type { SqlSession } from '../../../src/engine/ports/sql-session.js';
import {
  createStatsAndGatesHooks,
  type StatsAndGatesPorts,
} from '../../../src/gates/probes/stats-and-gates-hooks.js';
import { type CampaignFile, campaignSchema } from '../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { fakeMariadb } from '../stats/fake-mariadb.js';
import { FakeShell, FakeSqlSession } from '../stats/fake-ports.js';

function campaign(overrides: Partial<CampaignFile> = {}) {
  return campaignSchema.parse({
    campaign: 'test',
    fleet: 'hardware-classes',
    timezone: 'UTC',
    from: { version: '10.11.18' },
    to: { version: '10.11.19' },
    window: { start: '00:00', end: '23:59' },
    waves: [{ date: '2026-11-24', size: 'rest' }],
    stats: { samples: 6, interval: '10s', warmup: '1m' },
    gates: {
      smokeQueries: [{ name: 'rows', sql: 'SELECT COUNT(*) AS n FROM sbtest.sbtest1', expect: 10000 }],
    },
    ...overrides,
  } satisfies CampaignFile);
}

function resolved(name: string): ResolvedServer {
  return {
    name,
    class: 'small',
    host: '127.0.1.1',
    port: 3306,
    sshPort: 22,
    transport: 'ssh',
    datacenter: 'lab',
    vars: {},
  };
}

/** A journal in memory plus the control servers, as the CLI would wire them. */
class Harness implements StatsAndGatesPorts {
  readonly entries: JournalEntry[] = [];
  readonly clock = new FakeClock();
  readonly closed: string[] = [];
  readonly sessions = new Map<string, FakeSqlSession>();

  constructor(readonly controls: readonly string[] = ['db-02', 'db-03']) {}

  async record(entry: JournalEntry): Promise<void> {
    this.entries.push(entry);
  }

  async sql(server: ResolvedServer): Promise<SqlSession> {
    const session = fakeMariadb(this.clock);
    return { query: (sql) => session.query(sql), close: async () => void this.closed.push(server.name) };
  }

  async statsFor(server: string): Promise<readonly StatsRecord[]> {
    return this.entries
      .filter((entry): entry is Extract<JournalEntry, { kind: 'stats' }> => entry.kind === 'stats')
      .filter((entry) => entry.server === server || entry.controlFor === server)
      .map((entry) => ({ ...entry, v: 1, seq: 0, at: '', campaign: 'test' }));
  }

  async controlsFor(): Promise<readonly ResolvedServer[]> {
    return this.controls.map(resolved);
  }

  context(target: FakeSqlSession, overrides: Partial<CampaignFile> = {}, log?: string): HookContext {
    return {
      server: resolved('db-01'),
      campaign: campaign(overrides),
      wave: 1,
      clock: this.clock,
      events: new EngineEvents(),
      signal: new AbortController().signal,
      shell: async () => {
        // By default the log announces the start of the version the server runs, as mariadbd's does.
        const text = log ?? (await startAnnouncedBy(target));
        // One round trip (errorLogTailCommand): the log's size, then what it gained since the offset.
        return new FakeShell((command) => ({ stdout: command.startsWith('if') ? `100\n${text}` : text }));
      },
      sql: async () => target,
      errorLog: { path: '/var/lib/mysql/db-01.err', startOffset: 40 },
    };
  }
}

/** mariadbd's two "ready for connections" lines for the version `session` reports. */
async function startAnnouncedBy(session: FakeSqlSession): Promise<string> {
  const [row] = await session.query('SELECT VERSION() AS version');
  return `2026-11-24  2:00:05 0 [Note] /usr/sbin/mariadbd: ready for connections.\nVersion: '${String(row?.version)}'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12\n`;
}

const errorLogEntry = (harness: Harness) =>
  harness.entries.find((entry) => entry.kind === 'gate' && entry.gate === 'error-log');
const PAUSED_BY_CAMPAIGN = { verdict: 'pause', reason: expect.stringMatching(/campaign chose pause$/) };

const gateEntries = (harness: Harness) => harness.entries.filter((entry) => entry.kind === 'gate');

describe('the stats and gates hooks', () => {
  it('journal a baseline for the server and each control, marked with the period it ran beside', async () => {
    const harness = new Harness();
    const hooks = createStatsAndGatesHooks(harness);
    const verdict = await hooks.baseline?.(harness.context(fakeMariadb(harness.clock)));
    expect(verdict).toMatchObject({ verdict: 'pass', detail: { controls: ['db-02', 'db-03'] } });
    expect(
      harness.entries.map((entry) => [
        entry.kind,
        'server' in entry ? entry.server : '',
        'phase' in entry ? entry.phase : '',
      ]),
    ).toEqual([
      ['stats', 'db-01', 'baseline'],
      ['stats', 'db-02', 'control'],
      ['stats', 'db-03', 'control'],
    ]);
    expect(harness.entries[1]).toMatchObject({
      controlFor: 'db-01',
      controlPhase: 'baseline',
      intervalMs: 10_000,
    });
    expect(harness.closed.sort()).toEqual(['db-02', 'db-03']);
  });

  it('take at most stats.controls controls', async () => {
    const harness = new Harness(['db-02', 'db-03', 'db-04']);
    await createStatsAndGatesHooks(harness).baseline?.(
      harness.context(fakeMariadb(harness.clock), { stats: { controls: 1 } }),
    );
    expect(harness.entries.filter((entry) => entry.kind === 'stats')).toHaveLength(2);
  });

  it('journal each readiness gate and pass a healthy server', async () => {
    const harness = new Harness();
    const verdict = await createStatsAndGatesHooks(harness).readinessGates?.(
      harness.context(fakeMariadb(harness.clock)),
    );
    expect(verdict?.verdict).toBe('pass');
    expect(
      gateEntries(harness).map((entry) => ('gate' in entry ? [entry.phase, entry.gate, entry.verdict] : [])),
    ).toEqual([
      ['readiness', 'reachable', 'pass'],
      ['readiness', 'version', 'pass'],
      ['readiness', 'error-log', 'pass'],
      ['readiness', 'replication-running', 'pass'],
      ['readiness', 'smoke:rows', 'pass'],
    ]);
  });

  it('fail the readiness hook on a smoke query that returns something else, saying why', async () => {
    const harness = new Harness();
    const verdict = await createStatsAndGatesHooks(harness).readinessGates?.(
      harness.context(fakeMariadb(harness.clock, { smokeValue: 9999 })),
    );
    expect(verdict).toMatchObject({
      verdict: 'fail',
      reason: 'smoke:rows fail: returned "9999", expected "10000"',
    });
  });

  it('expect the old version in the rollback gates', async () => {
    const harness = new Harness();
    const hooks = createStatsAndGatesHooks(harness);
    const upgraded = await hooks.rollbackGates?.(harness.context(fakeMariadb(harness.clock)));
    expect(upgraded?.verdict).toBe('fail');
    const rolledBack = await hooks.rollbackGates?.(
      harness.context(fakeMariadb(harness.clock, { version: '10.11.18' })),
    );
    expect(rolledBack?.verdict).toBe('pass');
    expect(gateEntries(harness).every((entry) => 'phase' in entry && entry.phase === 'rollback')).toBe(true);
  });

  it('compare the after sampling with the baseline and the same controls, and pass a healthy server', async () => {
    const harness = new Harness();
    const hooks = createStatsAndGatesHooks(harness);
    await hooks.baseline?.(harness.context(fakeMariadb(harness.clock)));
    const verdict = await hooks.analysisGates?.(harness.context(fakeMariadb(harness.clock)));
    expect(verdict?.verdict).toBe('pass');
    const after = harness.entries.filter((entry) => entry.kind === 'stats').slice(3);
    expect(after.map((entry) => ('phase' in entry ? [entry.server, entry.phase] : []))).toEqual([
      ['db-01', 'after'],
      ['db-02', 'control'],
      ['db-03', 'control'],
    ]);
    expect(after[0]).toMatchObject({ warmup: { bufferPoolLoad: 'completed', waitedMs: 60_000 } });
    expect(gateEntries(harness).map((entry) => ('gate' in entry ? entry.gate : ''))).toEqual([
      'reachable',
      'error-log',
      'replication-caught-up',
      'innodb',
    ]);
  });

  it('fail the analysis hook when physical reads jumped on the server but not on its controls', async () => {
    const harness = new Harness();
    const hooks = createStatsAndGatesHooks(harness);
    await hooks.baseline?.(harness.context(fakeMariadb(harness.clock)));
    const verdict = await hooks.analysisGates?.(
      harness.context(fakeMariadb(harness.clock, { readsPerSecond: 200 })),
    );
    expect(verdict?.verdict).toBe('fail');
    expect(verdict?.reason).toMatch(/^innodb fail: controls db-02, db-03; worse: buffer_pool_reads/);
  });

  it('make the InnoDB gate inconclusive, not a crash of the hook, when sampling fails', async () => {
    const harness = new Harness();
    const hooks = createStatsAndGatesHooks(harness);
    await hooks.baseline?.(harness.context(fakeMariadb(harness.clock)));
    const healthy = fakeMariadb(harness.clock);
    const noStatus = new FakeSqlSession((sql) => {
      if (sql.startsWith('SHOW GLOBAL')) throw new Error('SHOW GLOBAL STATUS: access denied');
      return healthy.query(sql);
    });
    const verdict = await hooks.analysisGates?.(
      harness.context(noStatus, { gates: { inconclusive: 'rollback' } }),
    );
    expect(verdict?.verdict).toBe('fail');
    expect(gateEntries(harness).at(-1)).toMatchObject({
      gate: 'innodb',
      verdict: 'inconclusive',
      evidence: 'could not sample: SHOW GLOBAL STATUS: access denied',
      decision: { action: 'rollback', by: 'campaign' },
    });
  });

  it('leave an inconclusive gate to the campaign without a terminal, and journal the decision', async () => {
    const harness = new Harness();
    const context = {
      ...harness.context(fakeMariadb(harness.clock), { gates: { inconclusive: 'continue' } }),
      errorLog: undefined,
    };
    const verdict = await createStatsAndGatesHooks(harness).readinessGates?.(context);
    expect(verdict?.verdict).toBe('pass');
    expect(gateEntries(harness).find((entry) => 'gate' in entry && entry.gate === 'error-log')).toMatchObject(
      {
        verdict: 'inconclusive',
        decision: { action: 'continue', by: 'campaign' },
      },
    );
  });

  it('let the DBA at a terminal decide an inconclusive gate', async () => {
    const harness = new Harness();
    const ports: StatsAndGatesPorts = Object.assign(harness, { ask: async () => 'rollback' as const });
    const context = { ...harness.context(fakeMariadb(harness.clock)), errorLog: undefined };
    // After the window: inside it nobody is asked (see "questions never hold users" below).
    const verdict = await createStatsAndGatesHooks(ports).analysisGates?.(context);
    expect(verdict?.verdict).toBe('fail');
    expect(verdict?.reason).toMatch(/operator chose rollback$/);
  });

  describe('questions never hold users', () => {
    type Asked = { phase: string; gates: string[]; timeoutMs?: number; defaultAnswer?: string };
    // The fake clock's sleep returns at once, so the question's time is up as soon as it is
    // asked: the DBA here answers as the question is put, before the clock can move.
    function asking(harness: Harness, answer: 'continue' | 'rollback' | 'pause' | undefined) {
      const asked: Asked[] = [];
      const ports: StatsAndGatesPorts = Object.assign(harness, {
        ask: async (
          _server: string,
          phase: string,
          verdicts: readonly { gate: string; verdict: string }[],
          terms?: { timeoutMs: number; defaultAnswer: string },
        ) => {
          asked.push({
            phase,
            gates: verdicts
              .filter((verdict) => verdict.verdict === 'inconclusive')
              .map((verdict) => verdict.gate),
            ...(terms === undefined
              ? {}
              : { timeoutMs: terms.timeoutMs, defaultAnswer: terms.defaultAnswer }),
          });
          return answer;
        },
      });
      return { asked, hooks: createStatsAndGatesHooks(ports) };
    }

    it('never prompts while the window is open: the policy decides, journaled as decided inside the window', async () => {
      const harness = new Harness();
      const { asked, hooks } = asking(harness, 'rollback');
      const context = {
        ...harness.context(fakeMariadb(harness.clock), { gates: { inconclusive: 'pause' } }),
        errorLog: undefined,
      };
      const verdict = await hooks.readinessGates?.(context);
      expect(asked).toEqual([]);
      expect(verdict).toMatchObject(PAUSED_BY_CAMPAIGN);
      expect(errorLogEntry(harness)).toMatchObject({
        phase: 'readiness',
        verdict: 'inconclusive',
        decision: { action: 'pause', by: 'campaign', because: 'inside-window' },
      });
      await hooks.rollbackGates?.(
        harness.context(fakeMariadb(harness.clock, { version: '10.11.18' }), {}, ''),
      );
      expect(asked).toEqual([]);
    });

    it('asks after the window, with the analysis gates, about what the policy let through inside it', async () => {
      const harness = new Harness();
      const { asked, hooks } = asking(harness, 'rollback');
      const campaign = { gates: { inconclusive: 'continue' as const, innodb: false } };
      const silent = harness.context(fakeMariadb(harness.clock), campaign, '');
      expect((await hooks.readinessGates?.(silent))?.verdict).toBe('pass');
      expect(asked).toEqual([]);
      const analysed = await hooks.analysisGates?.(harness.context(fakeMariadb(harness.clock), campaign));
      expect(asked).toEqual([
        { phase: 'analysis', gates: ['error-log'], timeoutMs: 300_000, defaultAnswer: 'continue' },
      ]);
      expect(analysed).toMatchObject({
        verdict: 'fail',
        reason: expect.stringMatching(/operator chose rollback$/),
      });
      const analysisLog = gateEntries(harness).filter(
        (entry) => 'phase' in entry && entry.phase === 'analysis' && entry.gate === 'error-log',
      );
      expect(analysisLog.map((entry) => ('verdict' in entry ? entry.verdict : ''))).toEqual([
        'pass',
        'inconclusive',
      ]);
      expect(analysisLog[1]).toMatchObject({
        evidence: expect.stringMatching(/^inside the window: the log is silent/),
        decision: { action: 'rollback', by: 'operator' },
      });
    });

    it("gives an unanswered question the campaign's default answer once questions.timeout passes", async () => {
      const harness = new Harness();
      let closed = false;
      const asked: AbortSignal[] = [];
      const ports: StatsAndGatesPorts = Object.assign(harness, {
        ask: (_server: string, _phase: string, _verdicts: unknown, terms?: { signal: AbortSignal }) => {
          if (terms) asked.push(terms.signal);
          terms?.signal.addEventListener('abort', () => {
            closed = true;
          });
          return new Promise<undefined>(() => undefined);
        },
      });
      const context = {
        ...harness.context(fakeMariadb(harness.clock), {
          gates: { inconclusive: 'continue', innodb: false },
          questions: { timeout: '2m', default: 'pause' },
        }),
        errorLog: undefined,
      };
      const started = harness.clock.now();
      const verdict = await createStatsAndGatesHooks(ports).analysisGates?.(context);
      expect(asked).toHaveLength(1);
      expect(closed).toBe(true);
      expect(harness.clock.sleeps).toContain(120_000);
      expect(harness.clock.now() - started).toBeGreaterThanOrEqual(120_000);
      expect(verdict).toMatchObject(PAUSED_BY_CAMPAIGN);
      expect(errorLogEntry(harness)).toMatchObject({
        decision: { action: 'pause', by: 'campaign', because: 'timed-out' },
      });
    });
  });
});
