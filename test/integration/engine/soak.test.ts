import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoakRecord, SoakVerdictRecord } from '../../../src/engine/journal/journal-record.js';
import { loadFleet, sql } from '../fleet/fleet-fixture.js';
import {
  type EngineCampaign,
  engineCampaign,
  journalOf,
  resetFleet,
  runWave1,
  startDbwave,
} from './engine-fleet.js';

/**
 * Soak on the local fleet, with the real CLI and soak points of seconds: wave 1 runs, then the
 * new build of one of its servers degrades (sessions pile up on a row lock, as they would on a
 * build that holds locks longer), `dbwave soak` takes both points, the upgraded server fails the
 * comparison with its baseline and its same-class controls (still on the old build, in wave 2),
 * the report shows the time line, and `run --wave 2` is refused with the rollback to run.
 */
describe('soak points on the local fleet', () => {
  const fleet = loadFleet();
  let campaign: EngineCampaign;
  const held: Connection[] = [];

  beforeAll(async () => {
    await resetFleet(fleet);
    campaign = await engineCampaign('soak', {
      // One server per class in wave 1, the rest (their controls) in wave 2.
      waves: [
        { date: '2026-11-23', size: 3 },
        { date: '2026-11-24', size: 'rest' },
      ],
      // Enough intervals for the comparison with the controls to tell (Mann-Whitney needs 4+).
      stats: { samples: 5, interval: '1s', warmup: '1s' },
      soak: { points: ['5s', '15s'], tolerance: '10m' },
    });
  }, 120_000);

  afterAll(async () => {
    for (const connection of held) connection.destroy();
    await resetFleet(fleet);
  }, 180_000);

  /** Three sessions wait on a row another holds: the degradation the soak must see. */
  async function pileUpLocks(name: string): Promise<void> {
    const target = fleet.servers.find((candidate) => candidate.name === name);
    if (target === undefined) throw new Error(`${name} is not in the fleet`);
    const owner = await sql(fleet, target);
    held.push(owner);
    await owner.query(
      `CREATE TABLE IF NOT EXISTS \`${target.database}\`.soak_fault (id INT PRIMARY KEY, v INT) ENGINE=InnoDB`,
    );
    await owner.query(`REPLACE INTO \`${target.database}\`.soak_fault VALUES (1, 0)`);
    await owner.query('BEGIN');
    await owner.query(`SELECT v FROM \`${target.database}\`.soak_fault WHERE id = 1 FOR UPDATE`);
    for (let waiter = 0; waiter < 3; waiter += 1) {
      const connection = await sql(fleet, target);
      held.push(connection);
      await connection.query('SET SESSION innodb_lock_wait_timeout = 600');
      // Never awaited: it waits on the lock until the test ends the connection.
      connection
        .query(`UPDATE \`${target.database}\`.soak_fault SET v = v + 1 WHERE id = 1`)
        .catch(() => undefined);
    }
  }

  it('takes each point after the wave, fails the degraded server, shows the time line, refuses wave 2', async () => {
    const run = await runWave1(campaign);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const degraded = campaign.wave1[0]?.name;
    if (degraded === undefined) throw new Error('wave 1 has no server');
    await pileUpLocks(degraded);

    const soak = await startDbwave(['soak', campaign.planFile, '--wave', '1']).done;
    expect(soak.stdout, soak.stderr).toContain('wave 1 soak +5s');
    expect(soak.stdout).toContain('wave 1 soak +15s');
    expect(soak.stdout).toContain(`dbwave rollback ${campaign.planFile} --wave 1 --server ${degraded}`);
    expect(soak.code, `${soak.stdout}\n${soak.stderr}`).toBe(1);

    const { records } = await journalOf(campaign);
    const points = records.filter((record): record is SoakRecord => record.kind === 'soak');
    expect(points.map((record) => [record.pointMs, record.event])).toEqual([
      [5_000, 'started'],
      [5_000, 'finished'],
      [15_000, 'started'],
      [15_000, 'finished'],
    ]);
    const verdicts = records.filter((record): record is SoakVerdictRecord => record.kind === 'soak-verdict');
    const degradedVerdicts = verdicts.filter((record) => record.server === degraded);
    expect(degradedVerdicts.map((record) => record.verdict)).toContain('fail');
    expect(degradedVerdicts.find((record) => record.verdict === 'fail')?.evidence).toContain('row_lock');
    expect(new Set(verdicts.map((record) => record.server))).toEqual(
      new Set(campaign.wave1.map((server) => server.name)),
    );

    // A second soak finds every point taken: it takes none again.
    const again = await startDbwave(['soak', campaign.planFile, '--wave', '1']).done;
    expect(again.stdout).not.toContain('taking it');
    expect((await journalOf(campaign)).records.length).toBe(records.length);

    const markdown = await startDbwave(['report', campaign.planFile, '--wave', '1']).done;
    expect(markdown.stdout).toContain('## Soak');
    expect(markdown.stdout).toMatch(/\| Server +\| \+5s +\| \+15s +\|/);
    expect(markdown.stdout).toMatch(new RegExp(`\\| ${degraded} +\\| [a-z]+ +\\| [a-z]+ +\\|`));
    expect(markdown.stdout).toContain(`SOAK FAILED on ${degraded}`);
    const json = JSON.parse(
      (await startDbwave(['report', campaign.planFile, '--wave', '1', '--json']).done).stdout,
    );
    expect(
      json.soak.points.map((point: { point: string; state: string }) => [point.point, point.state]),
    ).toEqual([
      ['+5s', 'done'],
      ['+15s', 'done'],
    ]);
    expect(json.soak.failed).toEqual([degraded]);

    const status = await startDbwave(['status', campaign.planFile, '--wave', '1']).done;
    expect(status.stdout).toContain('Soak:');
    expect(status.stdout).toContain(`dbwave rollback ${campaign.planFile} --wave 1 --server ${degraded}`);

    const wave2 = await startDbwave(['run', campaign.planFile, '--wave', '2', '--yes', '--ignore-date']).done;
    expect(wave2.code, `${wave2.stdout}\n${wave2.stderr}`).toBe(1);
    expect(wave2.stderr).toContain(`wave 1 failed its soak: ${degraded}`);
    expect(wave2.stderr).toContain(`dbwave rollback ${campaign.planFile} --wave 1 --server ${degraded}`);
    expect(wave2.stderr).toContain('--override-order --reason');
  }, 900_000);
});
