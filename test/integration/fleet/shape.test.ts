import { describe, expect, it } from 'vitest';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { parseServersState, renderHaproxyConfig } from '../../../scripts/fleet/haproxy.js';
import { FLEET_NET, HARDWARE_CLASSES, planHosts, primaryOf } from '../../../scripts/fleet/host-plan.js';
import { parseMadison, upstreamVersion } from '../../../scripts/fleet/mariadb-packages.js';

/** The pure parts of the fleet: its shape and the parsing of what apt and HAProxy print. */

describe('the fleet shape', () => {
  it('puts host i on 127.0.1.i, round-robin over three classes, one shard each', () => {
    const hosts = planHosts(9, 18_100);
    expect(hosts.map((host) => host.address)).toEqual(hosts.map((_, index) => `${FLEET_NET}.${index + 1}`));
    for (const shape of HARDWARE_CLASSES) {
      expect(hosts.filter((host) => host.hardwareClass.id === shape.id)).toHaveLength(3);
    }
    expect(new Set(hosts.map((host) => host.shard)).size).toBe(9);
    expect(new Set(hosts.map((host) => host.appPort)).size).toBe(9);
  });

  it('makes db1 and db2 a replication pair, and nothing else', () => {
    const hosts = planHosts(6, 18_100);
    const [db1, db2] = hosts;
    expect(db1?.role).toBe('primary');
    expect(db2 && primaryOf(db2, hosts)?.name).toBe('db1');
    expect(hosts.slice(2).every((host) => host.cluster === undefined)).toBe(true);
    expect(planHosts(1, 18_100)[0]?.cluster).toBeUndefined();
  });

  it('refuses a count it cannot place on loopback', () => {
    expect(() => planHosts(0, 18_100)).toThrow(/--servers/);
    expect(() => planHosts(255, 18_100)).toThrow(/--servers/);
  });
});

describe('reading apt and HAProxy', () => {
  it('takes versions from apt-cache madison, newest first, without duplicates', () => {
    const output = [
      'mariadb-server-core | 1:10.11.19-0+deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages',
      'mariadb-server-core | 1:10.11.18-0+deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages',
      'mariadb-server-core | 1:10.11.18-0+deb12u1 | http://mirror.example bookworm/main amd64 Packages',
    ].join('\n');
    expect(parseMadison(output)).toEqual(['1:10.11.19-0+deb12u1', '1:10.11.18-0+deb12u1']);
    expect(upstreamVersion('1:10.11.19-0+deb12u1')).toBe('10.11.19');
    expect(upstreamVersion('10.5.23-0+deb11u1')).toBe('10.5.23');
  });

  it('reads the maintenance state from show servers state', () => {
    const text = [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight',
      '3 shard-1 1 db1 127.0.0.1 0 1 1',
      '4 shard-2 1 db2 127.0.0.1 2 0 1',
      '',
    ].join('\n');
    expect(parseServersState(text)).toEqual([
      { backend: 'shard-1', server: 'db1', maintenance: true },
      { backend: 'shard-2', server: 'db2', maintenance: false },
    ]);
  });

  it('routes /shard/shard-1/ and never /shard/shard-10/ to shard-1', () => {
    const config = renderHaproxyConfig(new FleetPaths('/tmp/fleet'), planHosts(10, 18_100), 18_080);
    expect(config).toContain(
      'use_backend shard-1 if { path /shard/shard-1 } || { path_beg /shard/shard-1/ }',
    );
    expect(config).not.toMatch(/check/);
  });
});
