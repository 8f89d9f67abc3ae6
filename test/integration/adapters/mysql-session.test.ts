import { describe, expect, it } from 'vitest';
import { probeMysql } from '../../../src/adapters/mysql/mysql-reachability.js';
import { connectMysql, MysqlError } from '../../../src/adapters/mysql/mysql-session.js';
import { mysqlSettingsFromCampaign } from '../../../src/adapters/mysql/mysql-settings.js';
import { fleetCampaign, fleetServer, loadFleet, resolvedServer } from './adapter-fixture.js';

const fleet = loadFleet();
const campaign = fleetCampaign(fleet);
const first = fleetServer(fleet, 0);
if (campaign.mysql === undefined) throw new Error(`${fleet.campaign} has no mysql: block`);
const mysql = campaign.mysql;

async function rejectionOf(promise: Promise<unknown>): Promise<MysqlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MysqlError) return error;
    throw error;
  }
  throw new Error('expected a MysqlError');
}

describe('the MySQL adapter on the fleet', () => {
  it.each(fleet.servers.map((server) => [server.name, server]))(
    '%s answers SELECT VERSION() with the campaign’s credentials (password from its file)',
    async (_name, server) => {
      const settings = await mysqlSettingsFromCampaign(mysql, fleet.campaign);
      const session = await connectMysql(resolvedServer(server), settings);
      try {
        const [row] = await session.query('SELECT VERSION() AS version');
        const version = String(row?.version);
        expect(version.startsWith(fleet.versions.from) || version.startsWith(fleet.versions.to)).toBe(true);
      } finally {
        await session.close();
      }
    },
  );

  it('binds parameters and keeps one statement per call', async () => {
    const settings = await mysqlSettingsFromCampaign(mysql, fleet.campaign);
    const session = await connectMysql(resolvedServer(first), settings);
    try {
      expect(await session.query('SELECT ? + 1 AS answer', [41])).toEqual([{ answer: 42 }]);
      const error = await rejectionOf(session.query('SELECT 1; SELECT 2'));
      expect(error.mysqlCode).toBe('ER_PARSE_ERROR');
      expect(error.retryable).toBe(false);
      // The session is still usable after a statement error.
      expect(await session.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await session.close();
    }
  });

  it('gives up on a query past its timeout, then reconnects for the next one', async () => {
    const settings = await mysqlSettingsFromCampaign(mysql, fleet.campaign);
    const session = await connectMysql(resolvedServer(first), { ...settings, queryTimeoutMs: 500 });
    try {
      const sleeper = `SELECT SLEEP(300.${process.pid % 1000})`;
      const error = await rejectionOf(session.query(sleeper));
      expect(error.message).toMatch(/query timed out/);
      expect(error.retryable).toBe(true);
      expect(await session.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      // The query was stopped on the server too, not left running behind the timeout.
      const [row] = await session.query(
        'SELECT COUNT(*) AS running FROM information_schema.PROCESSLIST WHERE INFO = ?',
        [sleeper],
      );
      expect(Number(row?.running)).toBe(0);
    } finally {
      await session.close();
    }
  });

  it('refuses a wrong password without ever showing it, as not retryable', async () => {
    const password = 'not-the-password-Zq81';
    const error = await rejectionOf(
      connectMysql(resolvedServer(first), { user: fleet.mysql.user, password, connectTimeoutMs: 5_000 }),
    );
    expect(error.mysqlCode).toBe('ER_ACCESS_DENIED_ERROR');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(password);
    expect(error.message).toContain(first.host);
  });

  it('reports a server that does not answer as unreachable and retryable', async () => {
    const settings = await mysqlSettingsFromCampaign(mysql, fleet.campaign);
    const closedPort = { ...resolvedServer(first), port: 1 };
    const answer = await probeMysql(closedPort, settings);
    expect(answer.reachable).toBe(false);
    if (!answer.reachable) expect(answer.error.retryable).toBe(true);
  });

  it('reports a reachable server with its version', async () => {
    const settings = await mysqlSettingsFromCampaign(mysql, fleet.campaign);
    const answer = await probeMysql(resolvedServer(first), settings);
    expect(answer).toMatchObject({ reachable: true });
  });
});
