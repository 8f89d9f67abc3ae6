import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { type Connection, createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { checklistForWave } from '../../../src/app/checklist-for-wave.js';
import { discoverPlan } from '../../../src/app/discover-plan.js';
import { planCampaign } from '../../../src/app/plan-campaign.js';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { loadPlan } from '../../../src/inventory/load-plan.js';
import { loadFleet, server } from '../fleet/fleet-fixture.js';

/**
 * `dbwave discover`, the run's topology precheck and `checklist --clients` against the local
 * fleet's real replication pair (db1 -> db2, cluster c1) and real client connections. Each case
 * works on its own copy of the fleet's class files; nothing here upgrades a server.
 */

const fleet = loadFleet();
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dbwave-discover-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  for (let index = 1; index <= scenarios; index += 1) {
    await rm(join(fleet.root, `discover-case-${index}.yaml`), { force: true });
  }
});

/** Text the commands wrote, captured. */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    streams: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
    },
  };
}

interface Scenario {
  readonly classesDir: string;
  readonly planFile: string;
  readonly campaignFile: string;
}

let scenarios = 0;

/**
 * A copy of the fleet's class files, edited by `edit` (server name -> its entry, mutated in
 * place; return false to drop the server), a campaign beside the fleet's (so its relative paths
 * hold) with `overrides`, and its plan.
 */
async function scenario(
  edit: (name: string, entry: Record<string, unknown>) => boolean | undefined = () => true,
  overrides: Record<string, unknown> = {},
): Promise<Scenario> {
  scenarios += 1;
  const folder = join(work, `case-${scenarios}`);
  const classesDir = join(folder, 'hardware-classes');
  await cp(join(fleet.root, 'hardware-classes'), classesDir, { recursive: true });
  for (const file of await readdir(classesDir)) {
    const path = join(classesDir, file);
    const document = parse(await readFile(path, 'utf8')) as { servers: Record<string, unknown>[] };
    document.servers = document.servers.filter((entry) => edit(String(entry.name), entry) !== false);
    if (document.servers.length === 0) await rm(path);
    else await writeFile(path, stringify(document));
  }
  const base = parse(await readFile(fleet.campaign, 'utf8')) as Record<string, unknown>;
  const campaignFile = join(fleet.root, `discover-case-${scenarios}.yaml`);
  await writeFile(
    campaignFile,
    stringify(
      {
        ...base,
        // One wave of every server: the fleet's classes are too small for two.
        waves: [{ date: new Date().toISOString().slice(0, 10), size: 'rest' }],
        ...overrides,
        fleet: classesDir,
        stateDir: join(folder, 'state'),
      },
      { lineWidth: 0 },
    ),
  );
  const planFile = join(folder, 'plan.yaml');
  const sink = capture().streams;
  expect(await planCampaign({ campaign: campaignFile, out: planFile }, sink)).toBe(0);
  return { classesDir, planFile, campaignFile };
}

async function discoverJson(planFile: string, write = false) {
  const { out, streams } = capture();
  const status = await discoverPlan(
    { plan: planFile, json: true, write },
    { streams, clock: systemClock, cwd: work },
  );
  return { status, document: JSON.parse(out.join('')) };
}

/** `dbwave run PLAN --wave N --yes --ignore-date` as cron would run it. */
async function runWave(planFile: string, wave: number) {
  const { out, err, streams } = capture();
  const status = await runWaveCommand(
    { plan: planFile, wave, yes: true, ignoreDate: true },
    {
      streams,
      clock: systemClock,
      cwd: work,
      interactive: false,
      confirm: async () => false,
      identity: { user: userInfo().username, host: hostname(), pid: process.pid },
    },
  );
  return { status, out: out.join(''), err: err.join('') };
}

async function waveOf(planFile: string, name: string): Promise<number> {
  const loaded = await loadPlan(planFile);
  const wave = loaded.plan.waves.find((candidate) =>
    candidate.servers.some((planned) => planned.name === name),
  );
  if (wave === undefined) throw new Error(`${name} is in no wave`);
  return wave.index;
}

const cleanRun = (result: { out: string }) =>
  expect(result.out).not.toMatch(/window-open started|shutdown started/);

describe('dbwave discover on real replication', () => {
  it('agrees with class files that declare the pair as it is', async () => {
    const { planFile } = await scenario();
    const { status, document } = await discoverJson(planFile);
    expect(document.mismatches).toEqual([]);
    expect(status).toBe(0);
    const byName = new Map(document.servers.map((entry: { name: string }) => [entry.name, entry]));
    expect(byName.get('db1')).toMatchObject({
      declared: { cluster: 'c1', role: 'primary' },
      observed: { role: 'primary', replicas: ['db2'], readOnly: false },
    });
    expect(byName.get('db2')).toMatchObject({
      declared: { cluster: 'c1', role: 'replica' },
      observed: { role: 'replica', source: 'db1' },
    });
    // The replica's connection to its primary is listed, as replication.
    expect((byName.get('db1') as { clients: unknown[] }).clients).toContainEqual(
      expect.objectContaining({ user: fleet.mysql.user, path: 'replication' }),
    );
  });

  it('fails the run precheck, naming both facts, when a class file declares the replica a primary', async () => {
    const { planFile } = await scenario((name, entry) => {
      // A cluster has one primary (the loader refuses two): the lie is a cluster of its own.
      if (name === 'db2') Object.assign(entry, { cluster: 'c2', role: 'primary' });
      return true;
    });
    const { status, document } = await discoverJson(planFile);
    expect(status).toBe(1);
    expect(document.mismatches).toContainEqual({
      server: 'db2',
      declared: 'primary of cluster c2',
      observed: 'replica of db1',
    });
    const run = await runWave(planFile, await waveOf(planFile, 'db2'));
    expect(run.status).toBe(1);
    expect(run.err).toMatch(
      /precheck: topology mismatch: db2: declared primary of cluster c2; observed replica of db1/,
    );
    cleanRun(run);
  });

  it("fails the run precheck when db1's replica is missing from the inventory", async () => {
    const { planFile } = await scenario((name) => name !== 'db2');
    const { status, document } = await discoverJson(planFile);
    expect(status).toBe(1);
    const replicaId = 2;
    expect(document.mismatches).toContainEqual(
      expect.objectContaining({
        server: 'db1',
        declared: 'primary of cluster c1',
        observed: expect.stringMatching(
          new RegExp(`^server id ${replicaId} at .* replicates from it and is in no hardware class$`),
        ),
      }),
    );
    const run = await runWave(planFile, await waveOf(planFile, 'db1'));
    expect(run.status).toBe(1);
    expect(run.err).toMatch(
      /precheck: topology mismatch: db1: declared primary of cluster c1; observed server id 2 at/,
    );
    cleanRun(run);
  });
});

describe('who else talks to the servers', () => {
  let held: Connection | undefined;
  const outsider = '127.0.5.250';
  const target = server(fleet, 'db3');

  beforeAll(async () => {
    // A batch host that connects straight to the server, around the proxy.
    held = await createConnection({
      host: target.host,
      port: target.port,
      user: fleet.mysql.user,
      password: fleet.mysql.password,
      stream: () => connectTcp({ host: target.host, port: target.port, localAddress: outsider }),
    });
    await held.query('SELECT 1');
  });

  afterAll(async () => {
    await held?.end();
  });

  it('lists a client from a non-proxy address and marks it unexpected', async () => {
    const { planFile } = await scenario();
    const { document } = await discoverJson(planFile);
    const db3 = document.servers.find((entry: { name: string }) => entry.name === 'db3');
    expect(db3.clients).toContainEqual({
      user: fleet.mysql.user,
      host: outsider,
      connections: 1,
      path: 'direct',
      expected: false,
    });
    expect(document.unexpectedClients).toContainEqual({
      server: 'db3',
      user: fleet.mysql.user,
      host: outsider,
      connections: 1,
    });
    // The shard app comes from dbwave's own address here: HAProxy's socket is local.
    expect(db3.proxyAddresses.from).toMatch(/dbwave's own address/);
  });

  it('warns in the checklist and stops the run (clients.unexpected: pause) before touching anything', async () => {
    const { planFile } = await scenario();
    const wave = await waveOf(planFile, 'db3');
    const { out, streams } = capture();
    expect(
      await checklistForWave(
        { plan: planFile, wave, clients: true },
        { ...streams, stdout: streams.stdout },
        work,
      ),
    ).toBe(0);
    expect(out.join('')).toMatch(
      new RegExp(
        `\\*\\*Warning\\*\\*: db3: ${fleet.mysql.user}@127\\.0\\.5\\.250 \\(1 connection, not through the proxy, unexpected\\)`,
      ),
    );
    const run = await runWave(planFile, wave);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(/precheck: unexpected client: db3: dbwave@127\.0\.5\.250/);
    expect(run.err).toMatch(/stopped before any server was touched/);
    cleanRun(run);
  });

  it('marks it expected once the campaign names it', async () => {
    const { planFile } = await scenario(undefined, {
      clients: { expected: [{ user: fleet.mysql.user, host: '127.0.5.2*' }] },
    });
    const { document } = await discoverJson(planFile);
    expect(document.unexpectedClients).not.toContainEqual(expect.objectContaining({ host: outsider }));
    const db3 = document.servers.find((entry: { name: string }) => entry.name === 'db3');
    expect(db3.clients).toContainEqual(expect.objectContaining({ host: outsider, expected: true }));
  });
});

describe('dbwave discover --write', () => {
  it('fills the pair into a copy of the class files, keeping comments', async () => {
    const { planFile, classesDir } = await scenario((_name, entry) => {
      delete entry.cluster;
      delete entry.role;
      return true;
    });
    const db1 = server(fleet, 'db1');
    const db1File = join(classesDir, `${db1.class}.yaml`);
    await writeFile(db1File, `# fleet-small, kept by hand\n${await readFile(db1File, 'utf8')}`);
    const before = await discoverJson(planFile);
    expect(before.status).toBe(1);
    expect(before.document.mismatches).toContainEqual({
      server: 'db2',
      declared: 'in no cluster',
      observed: 'replica of db1',
    });
    const { status, document } = await discoverJson(planFile, true);
    expect(status).toBe(0);
    expect(document.written).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ server: 'db1', after: { cluster: 'db1', role: 'primary' } }),
        expect.objectContaining({ server: 'db2', after: { cluster: 'db1', role: 'replica' } }),
      ]),
    );
    const text = await readFile(db1File, 'utf8');
    expect(text.startsWith('# fleet-small, kept by hand\n')).toBe(true);
    const servers = parseDocument(text).toJS().servers as Record<string, unknown>[];
    expect(servers.find((entry) => entry.name === 'db1')).toMatchObject({ cluster: 'db1', role: 'primary' });
    // What was written now agrees with the servers.
    const after = await discoverJson(planFile);
    expect(after.status).toBe(0);
  });
});
