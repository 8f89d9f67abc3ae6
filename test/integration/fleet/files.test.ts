import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { campaignDocument } from '../../../scripts/fleet/campaign-files.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { FLEET_NET } from '../../../scripts/fleet/host-plan.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';
import { hardwareClassSchema } from '../../../src/model/hardware-class-schema.js';
import { fleetJsonPath, loadFleet } from './fleet-fixture.js';

const fleet = loadFleet();

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

describe('what up writes', () => {
  it('writes fleet.json with the agreed keys and absolute paths', () => {
    expect(Object.keys(fleet)).toEqual(
      expect.arrayContaining(['versions', 'mysql', 'ssh', 'haproxy', 'campaign', 'servers']),
    );
    expect(fleet.versions.from).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fleet.versions.to).not.toBe(fleet.versions.from);
    for (const file of [fleet.ssh.identity, fleet.ssh.knownHosts, fleet.haproxy.socket, fleet.campaign]) {
      expect(isAbsolute(file)).toBe(true);
    }
    for (const server of fleet.servers) {
      expect(Object.keys(server)).toEqual(
        expect.arrayContaining([
          'name',
          'class',
          'host',
          'port',
          'sshPort',
          'shard',
          'url',
          'dataDir',
          'errorLog',
        ]),
      );
      expect(server.host).toBe(`${FLEET_NET}.${server.name.slice(2)}`);
      expect(isAbsolute(server.dataDir) && isAbsolute(server.errorLog)).toBe(true);
    }
    expect(new Set(fleet.servers.map((server) => server.class)).size).toBe(Math.min(3, fleet.servers.length));
  });

  it('keeps credentials in files of mode 0600', () => {
    const root = dirname(fleetJsonPath());
    for (const file of [fleetJsonPath(), fleet.ssh.identity, join(root, 'mysql.password')]) {
      expect(mode(file)).toBe(0o600);
    }
    expect(readFileSync(join(root, 'mysql.password'), 'utf8')).toBe(fleet.mysql.password);
  });

  it('writes hardware classes and a campaign that dbwave accepts', () => {
    const campaign = campaignSchema.parse(parse(readFileSync(fleet.campaign, 'utf8')));
    expect(campaign.from.version).toBe(fleet.versions.from);
    expect(campaign.to.version).toBe(fleet.versions.to);
    expect(campaign.waves.length).toBeGreaterThanOrEqual(2);
    const classesDir = resolve(dirname(fleet.campaign), campaign.fleet);
    const names: string[] = [];
    for (const file of readdirSync(classesDir)) {
      const hardwareClass = hardwareClassSchema.parse(parse(readFileSync(join(classesDir, file), 'utf8')));
      expect(file).toBe(`${hardwareClass.id}.yaml`);
      for (const server of hardwareClass.servers) {
        names.push(server.name);
        expect(server.vars?.fleetctl).toBe(fleet.servers.find((s) => s.name === server.name)?.fleetctl);
      }
    }
    expect(names.sort()).toEqual(fleet.servers.map((server) => server.name).sort());
    // Relative paths of the campaign resolve to the fleet's files.
    if (campaign.ssh === undefined || campaign.maintenance.adapter !== 'haproxy')
      throw new Error('incomplete');
    expect(resolve(dirname(fleet.campaign), String(campaign.ssh.identity))).toBe(fleet.ssh.identity);
    expect(resolve(dirname(fleet.campaign), campaign.maintenance.socket)).toBe(fleet.haproxy.socket);
  });

  it('writes the state store, a server that is not part of the campaign, as stateStore', async () => {
    expect(Object.keys(fleet.stateStore).sort()).toEqual(['database', 'host', 'password', 'port', 'user']);
    expect(fleet.servers.map((server) => server.host)).not.toContain(fleet.stateStore.host);
    const root = dirname(fleetJsonPath());
    expect(mode(join(root, 'state-store.password'))).toBe(0o600);
    expect(readFileSync(join(root, 'state-store.password'), 'utf8')).toBe(fleet.stateStore.password);
    const connection = await createConnection({
      host: fleet.stateStore.host,
      port: fleet.stateStore.port,
      user: fleet.stateStore.user,
      password: fleet.stateStore.password,
    });
    try {
      const [rows] = await connection.query('SELECT @@innodb_flush_log_at_trx_commit AS flush');
      expect(rows).toEqual([{ flush: 1 }]);
    } finally {
      await connection.end();
    }
  });

  it('writes the campaign with the MySQL store for up --state mysql', () => {
    const build = (version: string, side: 'from' | 'to') => ({
      version,
      debianVersion: fleet.builds[side].debianVersion,
      prefix: fleet.builds[side].prefix,
    });
    const paths = new FleetPaths(fleet.root);
    const document = campaignDocument(
      paths,
      { from: build(fleet.versions.from, 'from'), to: build(fleet.versions.to, 'to') },
      fleet.servers.length,
      new Date(),
      fleet.stateStore,
    );
    // As `up` writes it: YAML with quoted scalars, read back.
    const campaign = campaignSchema.parse(parse(stringify(document)));
    expect(campaign.state).toMatchObject({
      store: 'mysql',
      host: fleet.stateStore.host,
      port: fleet.stateStore.port,
      user: fleet.stateStore.user,
      database: fleet.stateStore.database,
    });
    if (campaign.state?.store !== 'mysql' || !('passwordFile' in campaign.state))
      throw new Error('no passwordFile');
    expect(resolve(fleet.root, String(campaign.state.passwordFile))).toBe(paths.stateStorePasswordFile);
  });
});
