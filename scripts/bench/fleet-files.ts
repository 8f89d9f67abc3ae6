import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a fleet of `size` servers as a DBA would keep it on disk, for the whole-process plan
 * bench: `hardware-classes/class-<N>.yaml` (8 classes, block-style YAML with the keys the source
 * case's servers carry: host, md layout, cluster and role, shard, data dir, error log, tags) and
 * `waves/bench.yaml`, a campaign shaped like the source case's (five waves over two weeks).
 * Deterministic: the same size writes the same bytes.
 */

const LAYOUTS = ['raid10-n2', 'raid10-f2', 'raid5', 'raid6'];
const DATACENTERS = ['phx1', 'phx2', 'scl2'];
const SERVICES = ['users', 'sync', 'mail', 'search', 'photos', 'billing', 'feeds', 'contacts'];
/** Every 30th server starts a replication cluster of three: a primary and two replicas. */
const CLUSTER_EVERY = 30;
const CLASS_COUNT = 8;

/** The paths the bench runs dbwave on. */
export interface FleetFiles {
  readonly dir: string;
  readonly campaignFile: string;
  readonly planFile: string;
  readonly servers: number;
}

function serverLines(classIndex: number, index: number): string {
  const service = SERVICES[(classIndex + index) % SERVICES.length] ?? 'users';
  const name = `c${classIndex}-${service}-db${index + 1}`;
  const datacenter = DATACENTERS[Math.floor(index / LAYOUTS.length) % DATACENTERS.length] ?? 'phx1';
  const slot = index % CLUSTER_EVERY;
  const cluster = `c${classIndex}-${service}-cl${Math.floor(index / CLUSTER_EVERY)}`;
  const lines = [
    `  - name: ${name}`,
    `    host: ${name}.${datacenter}.example.net`,
    `    mdLayout: ${LAYOUTS[index % LAYOUTS.length]}`,
    `    datacenter: ${datacenter}`,
  ];
  if (slot < 3) lines.push(`    cluster: ${cluster}`, `    role: ${slot === 0 ? 'primary' : 'replica'}`);
  lines.push(
    `    shard: ${slot < 3 ? cluster : `${service}-${classIndex}-${index + 1}`}`,
    '    dataDir: /var/lib/mysql',
    '    errorLog: /var/log/mysql/error.log',
    '    tags:',
    `      - ${service}`,
  );
  return lines.join('\n');
}

function classText(classIndex: number, count: number): string {
  const header = [
    `id: class-${classIndex}`,
    `description: "synthetic class ${classIndex}: ${6 + classIndex * 3} drives"`,
    `datacenter: ${DATACENTERS[classIndex % DATACENTERS.length]}`,
    `drives: ${6 + classIndex * 3}`,
    'expected:',
    '  shutdown:',
    `    p50: ${5 + classIndex}m`,
    `    p95: ${30 + classIndex * 2}m`,
    '  start:',
    '    p50: 1m',
    '    p95: 3m',
    '  upgrade:',
    '    p50: 1m',
    '    p95: 3m',
    'vars:',
    '  mysqlService: mysql',
    'servers:',
  ];
  const servers = Array.from({ length: count }, (_, index) => serverLines(classIndex, index));
  return `${header.join('\n')}\n${servers.join('\n')}\n`;
}

const CAMPAIGN = `campaign: bench
fleet: ../hardware-classes
timezone: America/Los_Angeles
from: { version: "5.1.44", package: "percona-server-server-5.1=5.1.44-rel11.0" }
to: { version: "5.1.58", package: "percona-server-server-5.1=5.1.58-rel12.9" }
window: { start: "09:00", end: "18:00" }
blackout: [2011-10-08, 2011-10-09]
waves:
  - { date: 2011-09-20, size: "10%", name: first day }
  - { date: 2011-09-22, size: "15%" }
  - { dates: 2011-09-27..2011-09-28, size: "20%" }
  - { dates: 2011-09-29..2011-09-30, size: "25%" }
  - { dates: 2011-10-03..2011-10-11, size: rest }
target503: 10m
shutdown: { budget: 60m, overBudget: wait, hardLimit: 90m }
concurrency: { wave: 16, perClass: 4 }
failureBudget: 1
ssh:
  user: dbwave
  identity: ../secrets/dbwave_ed25519
  knownHosts: ../secrets/known_hosts
mysql:
  user: dbwave
  passwordFile: ../secrets/mysql-password
maintenance:
  adapter: haproxy
  socket: tcp://lb1.phx1.example.net:9999
  backend: "{{shard}}"
  server: "{{name}}"
commands:
  stop: sudo systemctl stop {{vars.mysqlService}}
  start: sudo systemctl start {{vars.mysqlService}}
  running: systemctl is-active --quiet {{vars.mysqlService}}
  installedVersion: dpkg-query -W -f='\${Version}' percona-server-server-5.1
  upgrade: sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {{toPackage}}
  rollback: sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades --no-install-recommends {{fromPackage}}
  postUpgrade: mysql_upgrade --defaults-file=/etc/mysql/debian.cnf
gates:
  smokeQueries:
    - { name: innodb answers, sql: "SELECT 1", expect: 1 }
`;

/** Writes the fleet and campaign of `size` servers under `dir` (which must not hold others). */
export async function writeFleetFiles(dir: string, size: number): Promise<FleetFiles> {
  await mkdir(join(dir, 'hardware-classes'), { recursive: true });
  await mkdir(join(dir, 'waves'), { recursive: true });
  for (let classIndex = 0; classIndex < CLASS_COUNT; classIndex += 1) {
    const count = Math.floor(size / CLASS_COUNT) + (classIndex < size % CLASS_COUNT ? 1 : 0);
    await writeFile(join(dir, 'hardware-classes', `class-${classIndex}.yaml`), classText(classIndex, count));
  }
  const campaignFile = join(dir, 'waves', 'bench.yaml');
  await writeFile(campaignFile, CAMPAIGN);
  return { dir, campaignFile, planFile: join(dir, 'waves', 'bench.plan.yaml'), servers: size };
}
