import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../../src/inventory/yaml-source.js';
import { safeParseHardwareClass, safeParsePlanFile } from '../../../src/model/fleet-file-safe-parse.js';
import { hardwareClassSchema, serverSchema } from '../../../src/model/hardware-class-schema.js';
import { planFileSchema } from '../../../src/model/plan-file-schema.js';
import { fastPlannedServer } from '../../../src/model/planned-server-fast-check.js';
import { holdsControlCharacter } from '../../../src/model/schema-primitives.js';
import { fastServerSpec } from '../../../src/model/server-spec-fast-check.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const plannedServerSchema = planFileSchema.shape.waves.element.shape.servers.element;

/** The fast check's one promise: when it answers, zod accepts the record and returns the same value. */
function expectZodAgrees(fast: unknown, zod: { success: boolean; data?: unknown }, input: unknown): void {
  if (fast === undefined) return;
  expect(zod.success, JSON.stringify(input)).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  // Key order too: the output is printed and serialised.
  expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
}

/** Values a YAML file can give a key, the valid ones and the awkward ones. */
const awkwardValue = fc.oneof(
  fc.constantFrom(
    'db1',
    'db-1.example.com',
    '10.0.0.1',
    '256.0.0.1',
    '::1',
    'fe80::1%eth0',
    '1.2.3',
    '-db',
    '.db',
    'db_1',
    'a b',
    '',
    ' ',
    'tab\there',
    'line\nbreak',
    'esc\u001b[0m',
    'del\u007f',
    'c1\u0085',
    'ünïcode',
    '😀',
    'primary',
    'replica',
    'Primary',
    'raid10',
    '/var/lib/mysql',
    '2026-12-02',
    '2026-02-30',
    ' 2026-12-02',
    '2026-12-02\n',
    '20261202',
    '__proto__',
  ),
  fc.constantFrom(0, 1, 22, 3306, 65535, 65536, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53),
  fc.constantFrom(true, false, null, undefined),
  fc.constant(new Date('2026-12-02T00:00:00Z')),
  fc.array(fc.constantFrom('a', 'tag two', 'x\ny', 1, null), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom('mysqlService', 'x', '_y', '1bad', 'a-b', '__proto__'),
    fc.constantFrom('v', 1, true, 2.5, Number.NaN, null, 'x\ny', [], {}),
    { maxKeys: 3 },
  ),
  fc.string({ maxLength: 6 }),
);

const SERVER_KEYS = Object.keys(serverSchema.shape);

/** A record the schema accepts: what the fast check must answer for (or the test proves nothing). */
const validServerRecord = fc.record(
  {
    name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/),
    host: fc.constantFrom('db1', 'db-1.example.com', '10.0.0.1', 'a.b.c.'),
    port: fc.integer({ min: 1, max: 65535 }),
    sshPort: fc.integer({ min: 1, max: 65535 }),
    sshUser: fc.constantFrom('root', 'dba'),
    mdLayout: fc.string({ maxLength: 8 }),
    datacenter: fc.string({ maxLength: 8 }),
    cluster: fc.constantFrom('c1', 'shard.7'),
    role: fc.constantFrom('primary', 'replica'),
    shard: fc.constantFrom('s1', 'users-3'),
    dataDir: fc.constantFrom('/var/lib/mysql', 'D:/data'),
    errorLog: fc.constantFrom('/var/log/mysql/error.log'),
    tags: fc.array(fc.constantFrom('rack a', 'old', 'ünï'), { maxLength: 3 }),
    vars: fc
      .dictionary(
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/),
        fc.oneof(
          fc.string({ maxLength: 5 }).filter((text) => !holdsControlCharacter(text)),
          fc.integer(),
          fc.boolean(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
        { maxKeys: 3 },
      )
      .filter((vars) => !Object.hasOwn(vars, '__proto__')),
  },
  { requiredKeys: ['name', 'host'] },
);

/**
 * A server record that is nearly valid: a valid one with up to two keys (one of them perhaps not
 * the schema's) given an awkward value, so that most records test one boundary of one key.
 */
const serverRecord = fc
  .tuple(
    validServerRecord,
    fc.dictionary(fc.constantFrom(...SERVER_KEYS, 'hostname', 'Port'), awkwardValue, { maxKeys: 2 }),
  )
  .map(([valid, awkward]) => ({ ...valid, ...awkward }));

describe('fastServerSpec', () => {
  it('returns what serverSchema returns whenever it answers, on random records', () => {
    fc.assert(
      fc.property(serverRecord, (record) =>
        expectZodAgrees(fastServerSpec(record), serverSchema.safeParse(record), record),
      ),
      { numRuns: 5000 },
    );
  });

  it('answers for every record the schema plainly accepts, in the schema key order whatever the input order', () => {
    fc.assert(
      fc.property(validServerRecord, fc.boolean(), (record, reversed) => {
        const input = reversed ? Object.fromEntries(Object.entries(record).reverse()) : record;
        const fast = fastServerSpec(input);
        expect(fast).toBeDefined();
        expectZodAgrees(fast, serverSchema.safeParse(input), input);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves to zod what it does not vouch for: IPv6 hosts, unknown keys, nulls, arrays', () => {
    expect(fastServerSpec({ name: 'db1', host: '::1' })).toBeUndefined();
    expect(serverSchema.safeParse({ name: 'db1', host: '::1' }).success).toBe(true);
    expect(fastServerSpec({ name: 'db1', host: 'h', extra: 1 })).toBeUndefined();
    expect(fastServerSpec({ name: 'db1', host: 'h', port: null })).toBeUndefined();
    expect(fastServerSpec([{ name: 'db1', host: 'h' }])).toBeUndefined();
    expect(fastServerSpec(JSON.parse('{"name":"db1","host":"h","__proto__":{}}'))).toBeUndefined();
  });
});

describe('fastPlannedServer', () => {
  /** A valid planned server with up to two keys given an awkward value. */
  const plannedRecord = fc
    .dictionary(fc.constantFrom('name', 'class', 'date', 'Date', 'wave'), awkwardValue, { maxKeys: 2 })
    .map((awkward) => ({ name: 'db1', class: 'c1', date: '2026-12-02', ...awkward }));

  it('returns what the plan schema returns whenever it answers, on random records', () => {
    fc.assert(
      fc.property(plannedRecord, (record) =>
        expectZodAgrees(fastPlannedServer(record), plannedServerSchema.safeParse(record), record),
      ),
      { numRuns: 5000 },
    );
  });

  it('answers for a plainly valid planned server', () => {
    const record = { date: '2026-12-02', class: 'c1', name: 'db1' };
    expectZodAgrees(fastPlannedServer(record), plannedServerSchema.safeParse(record), record);
    expect(fastPlannedServer(record)).toBeDefined();
    expect(fastPlannedServer({ ...record, date: new Date('2026-12-02') })).toBeUndefined();
  });
});

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'tmp' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Same success, same data (key order included), same issues: the caller cannot tell the two apart. */
function expectSameResult(
  fast: { success: boolean; data?: unknown; error?: { issues: unknown } },
  zod: { success: boolean; data?: unknown; error?: { issues: unknown } },
): void {
  expect(fast.success).toBe(zod.success);
  if (zod.success) {
    expect(fast.data).toStrictEqual(zod.data);
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(zod.data));
  } else expect(fast.error?.issues).toStrictEqual(zod.error?.issues);
}

describe('safeParseHardwareClass and safeParsePlanFile', () => {
  const files = yamlFilesUnder(ROOT).map((path) => parseYamlSource(readFileSync(path, 'utf8'), path).value);

  it('give zod’s result on every YAML file of the repository (fixtures and bad inputs included)', () => {
    expect(files.length).toBeGreaterThan(20);
    for (const value of files) {
      expectSameResult(safeParseHardwareClass(value), hardwareClassSchema.safeParse(value));
      expectSameResult(safeParsePlanFile(value), planFileSchema.safeParse(value));
    }
  });

  const classFile = (servers: unknown[]) => ({
    id: 'c1',
    description: 'a class',
    datacenter: 'dc1',
    drives: 6,
    expected: { shutdown: { p50: '1m', p95: '2m' }, start: { p50: '1m', p95: '2m' } },
    servers,
  });
  const planFile = (waves: unknown[]) => ({
    campaign: 'c',
    timezone: 'UTC',
    campaignFile: '../c.yaml',
    waves,
  });
  const wave = (index: number, servers: unknown[]) => ({
    index,
    days: [{ date: '2026-12-02', windowStart: '2026-12-02T09:00:00Z', windowEnd: '2026-12-02T17:00:00Z' }],
    servers,
  });

  it('give zod’s result on files whose servers are random, valid or not, and on an empty list', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(validServerRecord, serverRecord), { maxLength: 6 }), (servers) => {
        const value = classFile(servers);
        expectSameResult(safeParseHardwareClass(value), hardwareClassSchema.safeParse(value));
      }),
      { numRuns: 1000 },
    );
    const plannedServer = fc.oneof(
      fc.record({
        name: fc.constantFrom('db1', 'db2'),
        class: fc.constant('c1'),
        date: fc.constant('2026-12-02'),
      }),
      fc.dictionary(fc.constantFrom('name', 'class', 'date'), awkwardValue, { maxKeys: 3 }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(plannedServer, { maxLength: 4 }), { maxLength: 3 }), (waves) => {
        const value = planFile(waves.map((servers, index) => wave(index + 1, servers)));
        expectSameResult(safeParsePlanFile(value), planFileSchema.safeParse(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('report a bad record deep in a large file exactly as zod does', () => {
    const servers: unknown[] = Array.from({ length: 500 }, (_, index) => ({
      name: `db${index}`,
      host: `h${index}`,
    }));
    servers[400] = { name: 'db400', host: 'h400', port: 70000 };
    expectSameResult(
      safeParseHardwareClass(classFile(servers)),
      hardwareClassSchema.safeParse(classFile(servers)),
    );
    const planned = Array.from({ length: 500 }, (_, index) => ({
      name: `db${index}`,
      class: 'c1',
      date: '2026-12-02',
    }));
    const badPlan = planFile([
      wave(1, planned.slice(0, 250)),
      wave(2, [...planned.slice(250), { name: 'x', class: 'c1', date: '2026-13-01' }]),
    ]);
    expectSameResult(safeParsePlanFile(badPlan), planFileSchema.safeParse(badPlan));
    // A fault outside the servers, with every server valid: still zod's message.
    const badWave = planFile([{ ...wave(1, planned), index: 0 }]);
    expectSameResult(safeParsePlanFile(badWave), planFileSchema.safeParse(badWave));
    expect(safeParsePlanFile(badWave).success).toBe(false);
  });
});
