import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WaveMetrics } from '../../../src/observers/metrics/wave-metrics.js';
import { PLANNED_SERVERS, waveInShutdown } from '../report/synthetic-journal.js';
import { find, parseExposition } from './exposition.js';

const run = promisify(execFile);
const RULES = 'dashboards/dbwave-alerts.rules.yml';
const RULE_TESTS = 'dashboards/dbwave-alerts.test.yml';

/** promtool from Debian's prometheus package, which scripts/test.sh installs. */
async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args);
    return stdout + stderr;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('promtool is not installed: apt-get install prometheus (scripts/test.sh does it)');
    }
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

describe('the Prometheus alert rules in dashboards/', () => {
  it('pass promtool check rules', async () => {
    expect(await promtool('check', 'rules', RULES)).toContain('SUCCESS: 5 rules found');
  });

  it('pass their unit tests under promtool test rules', async () => {
    expect(await promtool('test', 'rules', RULE_TESTS)).toContain('SUCCESS');
  });

  it('alert on window over target, shutdown over budget, journal stalled, failure budget exceeded and run gone', async () => {
    const rules = parse(await readFile(RULES, 'utf8')) as { groups: { rules: { alert: string }[] }[] };
    expect(rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert))).toEqual([
      'DbwaveWindowOverTarget',
      'DbwaveShutdownOverBudget',
      'DbwaveJournalStalled',
      'DbwaveFailureBudgetExceeded',
      'DbwaveRunGone',
    ]);
  });

  it('use only metrics that dbwave exports, with the labels it gives them', async () => {
    // A run in a server's shutdown, inside its window: every series the rules read is there.
    const metrics = new WaveMetrics({
      campaign: 'fleet-5158',
      classOf: (server) => PLANNED_SERVERS.find((planned) => planned.name === server)?.class,
      instanceOf: (server) => `${server}.example.net:9104`,
      limits: { target503Ms: 600_000, shutdownBudgetMs: 3_600_000 },
      failureBudget: { wave: 1, allowed: 1 },
    });
    for (const record of waveInShutdown().records) metrics.observe(record);
    metrics.runAlive(1, Date.now());
    const labelsOf = new Map<string, Set<string>>();
    for (const sample of parseExposition(await metrics.text())) {
      labelsOf.set(
        sample.name,
        new Set([...(labelsOf.get(sample.name) ?? []), ...Object.keys(sample.labels)]),
      );
    }
    const rules = await readFile(RULES, 'utf8');
    expect([...new Set(rules.match(/\bdbwave_[a-z0-9_]+/g))].filter((name) => !labelsOf.has(name))).toEqual(
      [],
    );
    // The rule tests feed the series as dbwave exports them (plus a scrape's job and instance).
    const tests = await readFile(RULE_TESTS, 'utf8');
    const series = [...tests.matchAll(/series: '(dbwave_[a-z0-9_]+)\{([^}]*)\}'/g)];
    expect(series.length).toBeGreaterThan(10);
    for (const [, name = '', labels = ''] of series) {
      const given = [...labels.matchAll(/([a-z_]+)="/g)].map((match) => match[1] ?? '');
      const known = new Set([...(labelsOf.get(name) ?? []), 'job', 'instance']);
      expect(
        given.filter((label) => !known.has(label)),
        name,
      ).toEqual([]);
    }
    expect(find(parseExposition(await metrics.text()), 'dbwave_window_opened_timestamp_seconds')).toEqual([
      expect.objectContaining({
        labels: expect.objectContaining({ server: 'db-b1', instance: 'db-b1.example.net:9104' }),
      }),
    ]);
  });
});
