import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from '../../../scripts/fleet/commands/load.js';
import type { FleetServer } from '../../../scripts/fleet/manifest.js';
import { compareInnodb } from '../../../src/analysis/innodb-comparison.js';
import { innodbGate } from '../../../src/analysis/innodb-gate.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { SqlRow, SqlSession } from '../../../src/engine/ports/sql-session.js';
import { readReplicationStatus } from '../../../src/gates/probes/replication-probe.js';
import { waitForWarmup } from '../../../src/stats/sampling/buffer-pool-warmup.js';
import { sampleInnodb } from '../../../src/stats/sampling/innodb-sampler.js';
import { REQUIRED_INNODB_METRICS } from '../../support/required-innodb-metrics.js';
import { loadFleet, sql } from '../fleet/fleet-fixture.js';

/**
 * The sampler against a real fleet server under `fleet load` (sysbench and HTTP traffic). The
 * fleet's sysbench runs one thread on a table that fits the buffer pool, so two things it never
 * does are added here, on the sampled server only and in a scratch schema dropped afterwards:
 * a second connection waiting on a row lock the first holds (row lock waits and time), and a
 * scan of a table larger than the 32 MB buffer pool (reads that miss the pool).
 */

const fleet = loadFleet();
// A small-class server outside any replication cluster: the scratch schema replicates nowhere.
const target =
  fleet.servers.find((server) => server.class === 'fleet-small' && server.cluster === undefined) ??
  fleet.servers.find((server) => server.cluster === undefined) ??
  fleet.servers[0];
const SCRATCH = 'dbwave_it_stats';

function session(connection: Connection): SqlSession {
  return {
    query: async (statement: string) => (await connection.query(statement))[0] as SqlRow[],
    close: () => connection.end(),
  };
}

async function contention(server: FleetServer, until: number): Promise<void> {
  const holder = await sql(fleet, server);
  const waiter = await sql(fleet, server);
  try {
    while (Date.now() < until) {
      await holder.query('BEGIN');
      await holder.query(`UPDATE ${SCRATCH}.locked SET n = n + 1 WHERE id = 1`);
      const waiting = waiter.query(`UPDATE ${SCRATCH}.locked SET n = n + 1 WHERE id = 1`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('COMMIT');
      await waiting;
    }
  } finally {
    holder.destroy();
    waiter.destroy();
  }
}

async function scans(server: FleetServer, until: number): Promise<void> {
  const connection = await sql(fleet, server);
  try {
    while (Date.now() < until)
      await connection.query(`SELECT COUNT(*) FROM ${SCRATCH}.big WHERE pad LIKE 'y%'`);
  } finally {
    connection.destroy();
  }
}

describe(`the InnoDB sampler on ${target?.name} under load`, () => {
  let admin: Connection;

  beforeAll(async () => {
    if (!target) throw new Error('the fleet has no server');
    admin = await sql(fleet, target);
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
    await admin.query(`CREATE DATABASE ${SCRATCH}`);
    await admin.query(`CREATE TABLE ${SCRATCH}.locked (id INT PRIMARY KEY, n INT) ENGINE=InnoDB`);
    await admin.query(`INSERT INTO ${SCRATCH}.locked VALUES (1, 0)`);
    await admin.query(`CREATE TABLE ${SCRATCH}.big (id INT PRIMARY KEY, pad CHAR(255)) ENGINE=InnoDB`);
    // 200k rows of 255+ bytes: about 60 MB, twice the small class's buffer pool.
    await admin.query(
      `INSERT INTO ${SCRATCH}.big SELECT seq, REPEAT('x', 255) FROM ${SCRATCH}.seq_1_to_200000`,
    );
  });

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
    admin?.destroy();
  });

  it('returns real, non-zero rates for every metric the issue lists, and a comparison with numbers', async () => {
    if (!target) throw new Error('the fleet has no server');
    const traffic = load({ seconds: 75, log: () => undefined });
    const until = Date.now() + 70_000;
    const extra = Promise.all([contention(target, until), scans(target, until)]);
    const connection = await sql(fleet, target);
    const sampler = session(connection);
    try {
      const warmup = await waitForWarmup(sampler, {
        clock: systemClock,
        warmupMs: 5_000,
        loadTimeoutMs: 60_000,
      });
      expect(['completed', 'not-enabled', 'not-started', 'failed', 'aborted']).toContain(
        warmup.bufferPoolLoad,
      );
      const baseline = await sampleInnodb(sampler, { clock: systemClock, samples: 4, intervalMs: 5_000 });
      const after = await sampleInnodb(sampler, { clock: systemClock, samples: 4, intervalMs: 5_000 });

      const zero: string[] = [];
      for (const name of REQUIRED_INNODB_METRICS) {
        const values = baseline.series[name] ?? [];
        expect(values, name).toHaveLength(4);
        for (const value of values) expect(Number.isFinite(value), `${name} ${value}`).toBe(true);
        if (!values.some((value) => value > 0)) zero.push(name);
      }
      console.log(
        REQUIRED_INNODB_METRICS.map(
          (name) => `${name}=${(baseline.series[name] ?? []).map((value) => value.toPrecision(3)).join('/')}`,
        ).join('\n'),
      );
      expect(zero, `metrics with no activity: ${zero.join(', ')}`).toEqual([]);
      expect(baseline.droppedIntervals).toBe(0);
      // Raw series ride along for a person digging in.
      expect(Object.keys(baseline.series).some((name) => name.startsWith('innodb_metrics.'))).toBe(true);

      const comparison = compareInnodb(
        { baseline: baseline.series, after: after.series },
        { threshold: { relative: 0.5, floor: 1 }, thresholds: {}, alpha: 0.05 },
      );
      for (const name of REQUIRED_INNODB_METRICS) {
        const metric = comparison.metrics.find((candidate) => candidate.name === name);
        expect(metric?.before, name).toBeGreaterThanOrEqual(0);
        expect(metric?.verdict, name).not.toBe('no data');
      }
      const gate = innodbGate(comparison);
      expect(['pass', 'fail', 'inconclusive']).toContain(gate.verdict);
      console.log(`${target.name}: ${gate.verdict}: ${gate.evidence}`);
    } finally {
      connection.destroy();
      await extra;
      await traffic;
    }
  });

  it("reads a real replica's replication threads", async () => {
    const replica = fleet.servers.find((server) => server.role === 'replica');
    if (!replica) return;
    const connection = await sql(fleet, replica);
    try {
      const status = await readReplicationStatus(session(connection));
      expect(status).toMatchObject({ readable: true, channels: [{ ioRunning: 'Yes', sqlRunning: 'Yes' }] });
    } finally {
      connection.destroy();
    }
  });
});
