import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SqlRow } from '../../../src/engine/ports/sql-session.js';
import {
  absentInnodbSources,
  FLAVOUR_QUERY,
  innodbStatusFacts,
  serverFlavour,
} from '../../../src/model/server-flavour.js';
import { sampleInnodb } from '../../../src/stats/sampling/innodb-sampler.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { FakeSqlSession } from './fake-ports.js';

/**
 * Real `SHOW GLOBAL STATUS LIKE 'Innodb%'` outputs, each file saying where it comes from: the
 * container images this project builds (MariaDB 10.11.19 and 11.8.9, MySQL 9.7.4) and a public
 * copy of MariaDB 5.5.56's. First line: the server's VERSION() and @@version_comment.
 */
function realServer(file: string): { version: string; comment: string; status: Map<string, string> } {
  const lines = readFileSync(new URL(`fixtures/global-status/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  const [first = '', ...rest] = lines;
  const [version = '', comment = ''] = first.split('\t');
  const status = new Map(rest.map((line) => line.split('\t') as [string, string]));
  return { version, comment, status };
}

const SERVERS = [
  'mariadb-5.5.56.tsv',
  'mariadb-10.11.19.tsv',
  'mariadb-11.8.9.tsv',
  'mysql-9.7.4.tsv',
] as const;

/** The status variables whose presence server-flavour decides by version. */
const VERSIONED = [
  'Innodb_history_list_length',
  'Innodb_rows_read',
  'Innodb_rows_inserted',
  'Innodb_rows_updated',
  'Innodb_rows_deleted',
];

/** A session answering as the real server did; INNODB_METRICS and the engine status as its flavour has them. */
function sessionOf(file: string): FakeSqlSession {
  const server = realServer(file);
  const facts = innodbStatusFacts(serverFlavour(server.version, server.comment));
  return new FakeSqlSession((sql): SqlRow[] => {
    if (sql === FLAVOUR_QUERY) return [{ version: server.version, comment: server.comment }];
    if (sql.startsWith('SHOW GLOBAL STATUS WHERE')) {
      return [...server.status].map(([Variable_name, Value]) => ({ Variable_name, Value }));
    }
    if (sql.includes('INNODB_METRICS')) {
      if (!facts.innodbMetrics) throw new Error("Unknown table 'INNODB_METRICS' in information_schema");
      return [{ NAME: 'trx_rseg_history_len', COUNT: 7, TYPE: 'value', STATUS: 'enabled' }];
    }
    if (sql === 'SHOW ENGINE INNODB STATUS') return [{ Status: 'History list length 9\n' }];
    throw new Error(`unexpected statement: ${sql}`);
  });
}

describe('the InnoDB status variables each flavour publishes (real SHOW GLOBAL STATUS)', () => {
  it.each(SERVERS)(
    '%s: server-flavour calls absent exactly the versioned variables the server lacks',
    (file) => {
      const server = realServer(file);
      const absent = new Set(
        absentInnodbSources(serverFlavour(server.version, server.comment)).map((entry) => entry.source),
      );
      for (const name of VERSIONED)
        expect({ name, absent: absent.has(name) }).toEqual({ name, absent: !server.status.has(name) });
    },
  );

  it('reads the history list from the status variable on MariaDB 5.5 and 10.5+, from INNODB_METRICS on MySQL and MariaDB 10.2-10.4', () => {
    expect(innodbStatusFacts(serverFlavour('5.5.56-MariaDB')).historyList).toBe('status');
    expect(innodbStatusFacts(serverFlavour('10.3.39-MariaDB')).historyList).toBe('metrics');
    expect(innodbStatusFacts(serverFlavour('11.8.9-MariaDB-0+deb13u1 from Debian')).historyList).toBe(
      'status',
    );
    expect(innodbStatusFacts(serverFlavour('9.7.4-2', '(Debian)')).historyList).toBe('metrics');
    expect(innodbStatusFacts(serverFlavour('5.1.44')).historyList).toBe('engine-status');
  });
});

describe('sampling asks only where the server’s flavour publishes', () => {
  it('on MariaDB 5.5 never asks for INNODB_METRICS, reads XtraDB’s history list, and says what it skipped', async () => {
    const clock = new FakeClock();
    const session = sessionOf('mariadb-5.5.56.tsv');
    const sampling = await sampleInnodb(session, { clock, samples: 2, intervalMs: 1_000 });
    expect(session.statements.filter((sql) => sql.includes('INNODB_METRICS'))).toEqual([]);
    expect(session.statements).not.toContain('SHOW ENGINE INNODB STATUS');
    expect(sampling.series.history_list_length).toEqual([0, 0]);
    expect(sampling.series.rows_read).toEqual([0, 0]);
    expect(sampling.skipped).toEqual([
      {
        source: 'information_schema.INNODB_METRICS',
        reason: 'MariaDB 5.5.56 has no INNODB_METRICS (MariaDB 10.0 added it)',
      },
    ]);
  });

  it('on MariaDB 10.11 and 11.8 journals the row counters it skipped, and never parses the engine status', async () => {
    for (const file of ['mariadb-10.11.19.tsv', 'mariadb-11.8.9.tsv']) {
      const session = sessionOf(file);
      const sampling = await sampleInnodb(session, { clock: new FakeClock(), samples: 1, intervalMs: 1_000 });
      expect(session.statements).not.toContain('SHOW ENGINE INNODB STATUS');
      expect(sampling.skipped?.map((entry) => entry.source)).toEqual([
        'Innodb_rows_read',
        'Innodb_rows_inserted',
        'Innodb_rows_updated',
        'Innodb_rows_deleted',
      ]);
      expect(sampling.skipped?.[0]?.reason).toMatch(
        /^MariaDB 1\d\.\d+\.\d+ has no Innodb_rows_read \(MariaDB 10\.6 dropped it/,
      );
    }
  });

  it('on MySQL 9.7 reads the history list from INNODB_METRICS and says why the status variable is not read', async () => {
    const session = sessionOf('mysql-9.7.4.tsv');
    const sampling = await sampleInnodb(session, { clock: new FakeClock(), samples: 1, intervalMs: 1_000 });
    expect(sampling.series.history_list_length).toEqual([7]);
    expect(session.statements).not.toContain('SHOW ENGINE INNODB STATUS');
    expect(sampling.skipped).toEqual([
      {
        source: 'Innodb_history_list_length',
        reason:
          'MySQL 9.7.4 has no Innodb_history_list_length status variable (read from INNODB_METRICS trx_rseg_history_len)',
      },
    ]);
  });
});
