import { z } from 'zod';
import { ownersSchema } from './owners-schema.js';
import {
  countOrPercent,
  dateRange,
  duration,
  identifier,
  isoDate,
  multilineText,
  port,
  textLine,
  timeOfDay,
  timezone,
  waveSize,
} from './schema-primitives.js';
import { changesSeries } from './server-flavour.js';
import { POINT_OF_NO_RETURN_STEPS } from './step-facts.js';

/**
 * The campaign file a DBA writes (`waves/<name>.yaml`). Only the planning keys are required;
 * everything the engine needs has a safe default, documented on the key. The schemas below are
 * a deliberate table of keys: many are alike in shape (a number, a default, a description).
 *
 * Each key's `.describe()` text is what an editor shows on hover (through schemas/*.json) and
 * the key's documentation here: it is not repeated in a comment. Durations say their default in
 * the text because the JSON Schema describes the input side, where a default in milliseconds
 * would mislead.
 */

const versionSchema = z.strictObject({
  version: z
    .string()
    .min(1)
    .describe('The version string the server reports (SELECT VERSION() starts with it), e.g. 5.1.58.'),
  package: z
    .string()
    .optional()
    .describe(
      'Package spec the upgrade or rollback installs ({{fromPackage}} / {{toPackage}} in templates), e.g. percona-server-server-5.1=5.1.58-rel12.9. Optional.',
    ),
});

const waveSizeKey = waveSize.describe(
  'How many servers: a count N, a percentage "P%" of the fleet (rounded half up), or rest (what the other waves leave; at most one wave).',
);
const waveName = textLine
  .optional()
  .describe('A name for the wave, shown in the plan and reports. Optional.');

/** One wave: a day or a range of days, and how many servers. */
export const waveSpecSchema = z.union([
  z.strictObject({
    date: isoDate.describe("The wave's day, YYYY-MM-DD (or use dates for a range of days)."),
    size: waveSizeKey,
    name: waveName,
  }),
  z.strictObject({
    dates: dateRange.describe(
      "The wave's days as FIRST..LAST, e.g. 2011-09-27..2011-09-29: both ends included, blackout days inside skipped.",
    ),
    size: waveSizeKey,
    name: waveName,
  }),
]);

/** Output kept per command when the campaign does not say (commands.maxOutputBytes). */
export const DEFAULT_MAX_OUTPUT_BYTES = 65_536;

/** A command template: `{{name}}`-style variables, each substituted shell-quoted. */
const template = multilineText.min(1);

const commandsSchema = z.strictObject({
  stop: template.describe(
    'Command template that starts a clean shutdown (dbwave has already set innodb_fast_shutdown=0); it may return at once.',
  ),
  start: template.describe('Command template that starts mysqld; dbwave then waits until it answers.'),
  running: template.describe('Command template that exits 0 while mysqld runs, non-zero when it does not.'),
  installedVersion: template.describe(
    'Command template that prints the installed server version (to resume a run, and to verify while mysqld is down).',
  ),
  upgrade: template
    .optional()
    .describe(
      'Command template that installs the to version, e.g. apt-get install -y {{toPackage}}. Only ever run with mysqld stopped. Required for an upgrade (to.version differs from from.version); a rolling restart runs configure instead.',
    ),
  rollback: template
    .optional()
    .describe(
      'Command template that reinstalls the from version (a rolling restart: that puts the configuration back). Only ever run with mysqld stopped. Required for an upgrade, and for a rolling restart that has configure.',
    ),
  configure: template
    .optional()
    .describe(
      "A rolling restart (to.version equal to from.version): the command template applied while mysqld is down, in place of upgrade, e.g. a new innodb_buffer_pool_size written into the server's config file. Check its effect with verify.variables. Optional; not allowed in an upgrade.",
    ),
  prepare: template
    .optional()
    .describe(
      'Command template run after the prechecks and before the 503 window opens, for work that needs no window, e.g. apt-get install --download-only -y {{toPackage}} and a checksum check. It must not change what runs: a failure stops the server before any side effect (outcome PrecheckFailed, reason "prepare: ..."). Optional.',
    ),
  postUpgrade: template
    .optional()
    .describe(
      'Command template for mysql_upgrade / mariadb-upgrade, run with the new server running. Optional.',
    ),
  timeout: duration
    .default(600_000)
    .describe(
      'Timeout of each command, a duration (default 10m); the shutdown and start waits have their own budgets.',
    ),
  maxOutputBytes: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_OUTPUT_BYTES)
    .describe('Output kept per command in the state dir, in bytes (default 64 KiB; the tail is kept).'),
  environment: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'))
    .optional()
    .describe(
      "Names of dbwave's environment variables that commands run on this machine (transport local, a local maintenance command) also get, e.g. [DOCKER_HOST]. They always get PATH, HOME, USER, LOGNAME, TZ and LANG=LC_ALL=C, and never the variables named by mysql.passwordEnv or notify (webhookEnv, webhooks[].urlEnv, pagerduty.routingKeyEnv). Optional.",
    ),
});

/** TLS to a MySQL server: the campaign's servers (`mysql.tls`) and the state store (`state.tls`). */
const mysqlTlsSchema = z
  .strictObject({
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        "PEM file of the CA that signed the servers' certificates, relative to this file. Optional; the system's CAs otherwise.",
      ),
    cert: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM client certificate, relative to this file, for accounts that REQUIRE X509. Optional; needs key.',
      ),
    key: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM private key of cert, relative to this file (never the key itself). Optional; needs cert.',
      ),
    verifyServer: z
      .boolean()
      .default(true)
      .describe(
        "Check the server's certificate against ca and its name against the server's host (default true). false only encrypts: whoever is in between can read the password.",
      ),
  })
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), {
    message: 'cert and key go together: give both or neither',
  });

/** The file store: a journal and a lock file in a local folder (the default). */
const fileStateSchema = z.strictObject({
  store: z.literal('file').describe('file: a journal and a lock file in a local folder.'),
  dir: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where journals, locks and command output live, relative to this file (default .dbwave/<campaign>).',
    ),
});

/** The MySQL store: the journal as rows and the runners' leases, in a database DBAs already run. */
const mysqlStateSchema = z.strictObject({
  store: z.literal('mysql').describe('mysql: journal rows and runner leases in a MySQL/MariaDB database.'),
  host: z.string().min(1).describe('Host of the MySQL/MariaDB server that holds the campaign state.'),
  port: port.default(3306).describe('Its port (default 3306).'),
  user: z
    .string()
    .min(1)
    .describe('User dbwave connects as (needs CREATE on the database for dbwave state init).'),
  passwordFile: z
    .string()
    .optional()
    .describe('File holding the password, relative to this file (never the password itself). Optional.'),
  passwordEnv: z.string().optional().describe('Environment variable holding the password. Optional.'),
  database: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and _ only, at most 64')
    .describe('Database of the state tables (created by dbwave state init).'),
  connectTimeout: duration.default(5_000).describe('Connect timeout, a duration (default 5s).'),
  lease: duration
    .default(30_000)
    .describe(
      "How long a runner's lease lasts without a heartbeat, a duration (default 30s): a runner that died is taken over after it.",
    ),
  tls: mysqlTlsSchema.optional().describe('Connect over TLS (as mysql.tls). Optional.'),
});

/** Where the campaign's state lives: `state: { store: file, dir }` (default) or `{ store: mysql, ... }`. */
export const stateSchema = z.discriminatedUnion('store', [fileStateSchema, mysqlStateSchema]);
export type StateStoreSettings = z.output<typeof stateSchema>;
export type MysqlStateSettings = z.output<typeof mysqlStateSchema>;

/** How long the drain may take before the server goes to maint anyway (`maintenance.drainTimeout`). */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

const runtimeApiSocket = z
  .string()
  .min(1)
  .describe("HAProxy's runtime API: a unix socket path (relative to the campaign file) or tcp://host:port.");

const haproxyMaintenance = z
  .strictObject({
    adapter: z
      .literal('haproxy')
      .describe("haproxy: the 503 window puts the server in maint through HAProxy's runtime API."),
    socket: runtimeApiSocket
      .optional()
      .describe(
        "One HAProxy's runtime API: a unix socket path (relative to the campaign file) or tcp://host:port. Give socket or sockets.",
      ),
    sockets: z
      .array(runtimeApiSocket)
      .min(1)
      .refine((sockets) => new Set(sockets).size === sockets.length, 'lists a socket twice')
      .optional()
      .describe(
        'Several HAProxy instances (an HA pair, one per datacenter), each a runtime API as in socket: every one is updated and verified, and the window is open only once none of them sends the server traffic. Give socket or sockets.',
      ),
    backend: template.describe('Backend name template, e.g. {{shard}}.'),
    server: template.describe('Server name template inside the backend, e.g. {{name}}.'),
    drainTimeout: duration
      .default(DEFAULT_DRAIN_TIMEOUT_MS)
      .describe(
        "How long the window's opening lets the server's sessions end: the server is set to drain (no new sessions) and goes to maint once HAProxy counts none left, or when this runs out, with the sessions left journaled and alerted (default 30s; 0s: straight to maint).",
      ),
  })
  .superRefine((spec, context) => {
    if ((spec.socket === undefined) === (spec.sockets === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['sockets'],
        message:
          spec.socket === undefined
            ? 'needs socket (one HAProxy) or sockets (several)'
            : 'give socket (one HAProxy) or sockets (several), not both',
      });
    }
  })
  // Every instance in `sockets`; `socket` stays the first, for readers of the one-instance form.
  .transform(({ socket, sockets, ...rest }) => {
    const all = sockets ?? (socket === undefined ? [] : [socket]);
    return { ...rest, socket: all[0] ?? '', sockets: all };
  });

const httpCall = z.strictObject({
  method: z
    .enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
    .default('POST')
    .describe('HTTP method (default POST).'),
  url: template.describe('URL template; values are substituted percent-encoded.'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('Request headers, name to value template (a value with a line break is refused). Optional.'),
  body: z.string().optional().describe('Request body template. Optional.'),
});

const httpMaintenance = z.strictObject({
  adapter: z.literal('http').describe('http: the 503 window is opened and closed by HTTP calls.'),
  open: httpCall.describe('The call that opens the window; it must answer 2xx.'),
  close: httpCall.describe('The call that closes the window; it must answer 2xx.'),
  status: httpCall
    .optional()
    .describe(
      'A call that answers 2xx while the window is open, 404 (or other non-2xx) when closed. Optional.',
    ),
});

const commandMaintenance = z.strictObject({
  adapter: z.literal('command').describe('command: the 503 window is opened and closed by commands.'),
  open: template.describe('Command template that opens the window.'),
  close: template.describe('Command template that closes the window.'),
  status: template
    .optional()
    .describe('Command template that exits 0 while the window is open, 1 when closed. Optional.'),
  transport: z
    .enum(['local', 'ssh'])
    .default('local')
    .describe("Where the commands run: local (default, the load balancer's CLI) or ssh on the server."),
});

const noMaintenance = z.strictObject({
  adapter: z
    .literal('none')
    .describe('none: no user-facing window (a lab, or a service with its own failover).'),
});

/** The campaign's `maintenance:` block, one adapter's keys each. */
export const maintenanceSchema = z.discriminatedUnion('adapter', [
  haproxyMaintenance,
  httpMaintenance,
  commandMaintenance,
  noMaintenance,
]);
/** A `maintenance:` block as written in a campaign file. */
export type MaintenanceSpecInput = z.input<typeof maintenanceSchema>;

const thresholdSchema = z.strictObject({
  relative: z.number().nonnegative().describe('Relative change allowed, e.g. 0.5 = ±50%.'),
  floor: z
    .number()
    .nonnegative()
    .default(0)
    .describe(
      'Changes smaller than this absolute amount (per second, or gauge units) never flag (default 0).',
    ),
});

/** A per-metric threshold may also say which way a change is bad (see stats/compare/metric-catalog.ts). */
const metricThresholdSchema = thresholdSchema.extend({
  direction: z
    .enum(['higher-is-worse', 'lower-is-worse', 'informational'])
    .optional()
    .describe(
      "higher-is-worse / lower-is-worse judge the metric; informational only reports it. Optional; default the catalog's (workload metrics such as rows_read are informational).",
    ),
});

const statsSchema = z.strictObject({
  samples: z
    .number()
    .int()
    .min(2)
    .default(6)
    .describe('Sample intervals per sampling: N intervals take N + 1 readings, interval apart (default 6).'),
  interval: duration.default(10_000).describe('Time between two readings, a duration (default 10s).'),
  warmup: duration
    .default(60_000)
    .describe(
      'After the window closes, wait this long (and for the buffer pool load) before sampling; a duration (default 1m).',
    ),
  bufferPoolLoadTimeout: duration
    .default(600_000)
    .describe(
      'With innodb_buffer_pool_load_at_startup on, wait at most this long for the load to finish before the warm-up starts; past it, sampling goes on and the comparison says so. A duration (default 10m).',
    ),
  threshold: thresholdSchema
    .default({ relative: 0.5, floor: 1 })
    .describe('Default threshold for every metric (default relative 0.5, floor 1).'),
  thresholds: z
    .record(z.string(), metricThresholdSchema)
    .default({})
    .describe('Per-metric overrides, by metric name as in the stats records (buffer_pool_reads, ...).'),
  controls: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe('Same-class servers not yet upgraded sampled as controls (default 2; 0 turns controls off).'),
  alpha: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.05)
    .describe('Significance level of the control comparison (default 0.05).'),
  aggregate: z
    .enum(['median', 'mean'])
    .default('median')
    .describe(
      "How a metric's intervals sum up into its before and after values: median (default) resists outliers.",
    ),
});

const smokeQuerySchema = z.strictObject({
  name: textLine.min(1).describe("The query's name, in gate verdicts and reports."),
  sql: multilineText.min(1).describe('The SQL to run.'),
  expect: z
    .union([z.string(), z.number()])
    .transform(String)
    .optional()
    .describe(
      'Expected first column of the first row, compared as text. Optional; omit to only require success.',
    ),
  database: z.string().optional().describe('Database to run the query in. Optional.'),
});

/** A JavaScript regular expression (no slashes, no flags); refused here when it does not compile. */
const regularExpression = z.string().refine(
  (pattern) => {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

const gatesSchema = z.strictObject({
  errorLogPatterns: z
    .array(regularExpression)
    .default(['\\[ERROR\\]', 'Assertion', 'assertion failure', 'mysqld got signal', 'Crash'])
    .describe('Regular expressions (JavaScript, no slashes or flags) that make an error-log line a failure.'),
  errorLogIgnore: z
    .array(regularExpression)
    .default([])
    .describe('Regular expressions for error-log lines to ignore even if they match a failure pattern.'),
  smokeQueries: z
    .array(smokeQuerySchema)
    .default([])
    .describe('Queries the readiness gates run inside the window, each with an optional expected result.'),
  replicationTimeout: duration
    .default(300_000)
    .describe('How long a replica may take to catch up after the window, a duration (default 5m).'),
  replicationMaxLag: duration
    .default(1_000)
    .describe(
      'Replication lag that still counts as caught up (Seconds_Behind_Master, whole seconds), a duration (default 1s).',
    ),
  inconclusive: z
    .enum(['continue', 'rollback', 'pause'])
    .default('pause')
    .describe(
      'What an inconclusive verdict means when nobody is at a terminal (default pause: the server is left to a person).',
    ),
  innodb: z
    .boolean()
    .default(true)
    .describe('Run the InnoDB comparison as an analysis gate, after the window (default true).'),
  silentErrorLog: z
    .enum(['inconclusive', 'fail'])
    .default('inconclusive')
    .describe(
      'The error-log gate\'s verdict when the log is silent: no line since this start, or no "ready for connections" line of the expected version (default inconclusive: a monitor that sees nothing has not seen health; fail rolls the server back).',
    ),
});

/**
 * The questions dbwave asks a DBA at a terminal about an inconclusive gate. They are never asked
 * while the server's 503 window is open (gates.inconclusive decides there, and the question
 * comes after the window, with the analysis gates), and never wait for ever.
 */
const questionsSchema = z.strictObject({
  timeout: duration
    .default(300_000)
    .describe(
      'How long a question waits for an answer before its default answer decides, a duration (default 5m).',
    ),
  default: z
    .enum(['continue', 'rollback', 'pause'])
    .optional()
    .describe(
      'The answer a question that times out gets (default: gates.inconclusive, the answer when nobody is at a terminal, itself pause by default: the server keeps serving on the new version and is left to a person; rollback would open a second 503 window because nobody answered, continue would pass a server nobody judged).',
    ),
});

/**
 * The canary stage of the first wave: a few servers go first, then the wave waits for the bake
 * while the analysis gates compare them with same-class servers still on the old version, and
 * goes on or stops by itself (docs/canary.md). Either `perClass` or `servers`, not both.
 */
export const canarySchema = z
  .strictObject({
    perClass: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Canaries of each hardware class in the first wave: the first N of the class in the wave's execution order. Optional; this or servers.",
      ),
    servers: z
      .array(identifier)
      .min(1, 'name at least one canary server')
      .optional()
      .describe('The canaries by name; each must be in the first wave. Optional; this or perClass.'),
    bake: duration.describe(
      'How long the wave waits after its canaries are upgraded, comparing them with their controls, before it goes on; a duration such as 2h.',
    ),
    every: duration
      .default(600_000)
      .describe(
        'How often the bake compares the canaries with their controls before its end (the verdict so far; a fail stops the wave at once), a duration (default 10m).',
      ),
  })
  .refine((canary) => (canary.perClass === undefined) !== (canary.servers === undefined), {
    message: 'give exactly one of perClass and servers',
  });
export type CanarySpec = z.output<typeof canarySchema>;
/** The soak points when the campaign does not say: +1h, +4h and +24h after a wave ends. */
const DEFAULT_SOAK_POINTS = [3_600_000, 14_400_000, 86_400_000];

/**
 * Soak: hours after a wave, not minutes after. Each upgraded server of a wave is compared again
 * with its baseline and its same-class controls at each point after the wave ends, by whichever
 * dbwave process is alive for the campaign (`dbwave soak`, `dbwave status --every`).
 */
const soakSchema = z
  .strictObject({
    points: z
      .array(duration)
      .default(DEFAULT_SOAK_POINTS)
      .describe(
        "When to compare the wave's upgraded servers again, each a duration after the wave ends (default [1h, 4h, 24h]; [] turns soak off).",
      ),
    tolerance: duration
      .default(1_800_000)
      .describe(
        'How late a soak point may still be taken; past it the point is journaled and reported as missed (default 30m).',
      ),
    gating: z
      .array(duration)
      .optional()
      .describe(
        'The points the next wave waits for: `run --wave N` refuses until each has been taken in wave N-1. Optional; default every point (a failed point of any kind always stops the next wave).',
      ),
  })
  .superRefine((soak, context) => {
    for (const [index, point] of (soak.gating ?? []).entries()) {
      if (!soak.points.includes(point))
        context.addIssue({ code: 'custom', path: ['gating', index], message: 'is not one of soak.points' });
    }
  })
  // Each point once and in order; `gating` defaults to every point, here and only here.
  .transform(({ points, tolerance, gating }) => {
    const ordered = [...new Set(points)].sort((a, b) => a - b);
    return { points: ordered, tolerance, gating: gating === undefined ? ordered : [...new Set(gating)] };
  });

/** The soak settings as the campaign has them once parsed: points in order, gating filled in. */
export type SoakSettings = z.output<typeof soakSchema>;

/** How often `dbwave status --every` broadcasts when the campaign does not say (notify.every). */
export const DEFAULT_BROADCAST_EVERY_MS = 1_800_000;

/** The clean shutdown: its budget and what happens past it. */
const shutdownSchema = z.strictObject({
  budget: duration
    .default(3_600_000)
    .describe('Budget for the clean shutdown (innodb_fast_shutdown=0), a duration (default 60m).'),
  overBudget: z
    .enum(['wait', 'abort'])
    .default('wait')
    .describe(
      'Past the budget: wait (default) keeps waiting up to hardLimit and then upgrades as usual; abort waits for the exit (mysqld is never killed), does not upgrade, starts the old version and marks the server for a person.',
    ),
  hardLimit: duration
    .optional()
    .describe(
      'With overBudget: wait, give up after this long in all; a duration (default twice the budget).',
    ),
});

/** The pre-flush of InnoDB's dirty pages before the window opens. */
const preflushSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe(
      'Flush dirty pages before the window opens, so that the clean shutdown is short (default true).',
    ),
  dirtyPagesPct: z
    .number()
    .min(0)
    .max(99)
    .default(0)
    .describe('innodb_max_dirty_pages_pct during the pre-flush (default 0).'),
  targetDirtyPages: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('The pre-flush is done when dirty pages are at most this many (default 1000).'),
  timeout: duration
    .default(300_000)
    .describe(
      'Stop waiting after this long; the upgrade goes on with whatever was flushed (the settings stay changed until the shutdown). A duration (default 5m).',
    ),
  settle: duration
    .default(30_000)
    .describe(
      'Stop waiting once dirty pages have not fallen (by 5% of their lowest reading) for this long: under write load the pool settles where the flush only keeps up. InnoDB flushes in batches, with pauses of 10 s and more on a busy disk: keep it well above that. 0: wait for the target or the timeout. A duration (default 30s).',
    ),
  ioCapacity: z
    .number()
    .int()
    .min(0)
    .default(2000)
    .describe(
      'innodb_io_capacity during the pre-flush (its _max raised to match when lower): at innodb_max_dirty_pages_pct=0 InnoDB flushes at io_capacity, 200 pages/s by default, slower than a loaded server dirties pages. 0 leaves both as they are (default 2000).',
    ),
});

/** The checks before a server is touched. */
const prechecksSchema = z.strictObject({
  maxTransactionAge: duration
    .default(60_000)
    .describe(
      'A transaction open longer than this would stretch the shutdown: the precheck fails. A duration (default 1m).',
    ),
  minFreeDiskMb: z
    .number()
    .int()
    .min(0)
    .default(1024)
    .describe("Free space required on the datadir's filesystem, in MB (default 1024)."),
  systemdUnit: z
    .string()
    .regex(/^[A-Za-z0-9@._:-]+$/, 'must be a systemd unit name, e.g. mariadb or mysql.service')
    .optional()
    .describe(
      'The systemd unit that runs mysqld on the hosts (mariadb, mysql): the precheck reads its TimeoutStopSec (systemctl show -p TimeoutStopUSec) and fails when it is shorter than shutdown.budget (systemd would SIGKILL a slow clean shutdown), warns when shorter than shutdown.hardLimit. A host without systemctl is not checked. Optional; set it whenever commands.stop is systemctl stop or service ... stop on a systemd host.',
    ),
});

/** One client a campaign expects to find connected to its servers besides the proxy. */
const expectedClientSchema = z.strictObject({
  user: z
    .string()
    .min(1)
    .default('*')
    .describe('MySQL user, exact or a pattern (* or % for any run of characters; default any user).'),
  host: z
    .string()
    .min(1)
    .default('*')
    .describe(
      'Client host or address as the server sees it (no port), exact or a pattern such as 10.1.% (default any host).',
    ),
});

/** Who else talks to the servers: what dbwave is told about the maintenance proxy and the clients it expects. */
const clientsSchema = z.strictObject({
  proxyAddresses: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "The addresses the maintenance proxy's connections come from, as the servers' PROCESSLIST shows them (patterns allowed): their clients see the 503 window. Optional; by default inferred from an haproxy adapter: the socket's host for tcp://host:port, else (a local socket: HAProxy runs where dbwave does) dbwave's own address as each server sees it; none for other adapters.",
    ),
  expected: z
    .array(expectedClientSchema)
    .default([])
    .describe(
      'Clients that are known to connect around the proxy ({user, host}, patterns allowed): listed, not warned about. Optional.',
    ),
  unexpected: z
    .enum(['continue', 'pause'])
    .default('pause')
    .describe(
      'What a client that is neither the proxy, a replica, dbwave nor expected means to a run when nobody answers at a terminal (--yes): pause (default) stops the run before any server is touched; continue goes on with a warning.',
    ),
});

/** How many servers are in flight at once. */
const concurrencySchema = z.strictObject({
  wave: z.number().int().positive().default(1).describe('Servers in flight at once in a wave (default 1).'),
  perClass: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Servers of one hardware class in flight at once (a class's concurrency overrides). Optional."),
});

const environmentVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * The payload formats a status webhook can take: what each chat or event system accepts at its
 * incoming webhook. `slack` and `mattermost` post `{text}`, `teams` an Adaptive Card in a
 * message, `discord` `{content}`, `json` one event object per update (docs/alerts.md).
 */
export const WEBHOOK_FORMATS = ['slack', 'mattermost', 'teams', 'discord', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** One status webhook: where its URL is (an environment variable) and what it accepts. */
const webhookSchema = z.strictObject({
  urlEnv: environmentVariableName.describe(
    'Environment variable holding the webhook URL: the URL carries a token, so it never goes into a file that is committed.',
  ),
  format: z
    .enum(WEBHOOK_FORMATS)
    .default('slack')
    .describe(
      'What the receiver accepts: slack or mattermost ({text}), teams (an Adaptive Card), discord ({content}), json (one event object per update, see docs/alerts.md). Default slack.',
    ),
});

/** PagerDuty's Events API v2 endpoint (the EU service account uses events.eu.pagerduty.com). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** PagerDuty Events API v2: an incident per server that needs a person, resolved when it no longer does. */
const pagerdutySchema = z
  .strictObject({
    routingKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "File holding the integration's routing key, relative to this file (never the key itself). Optional; this or routingKeyEnv.",
      ),
    routingKeyEnv: environmentVariableName
      .optional()
      .describe(
        "Environment variable holding the integration's routing key. Optional; this or routingKeyFile.",
      ),
    eventsUrl: z
      .url({ protocol: /^https?$/ })
      .default(PAGERDUTY_EVENTS_URL)
      .describe(`The Events API v2 endpoint (default ${PAGERDUTY_EVENTS_URL}).`),
    severity: z
      .enum(['critical', 'error', 'warning', 'info'])
      .default('critical')
      .describe('Severity of the events dbwave triggers (default critical).'),
  })
  .refine(
    (pagerduty) => (pagerduty.routingKeyFile === undefined) !== (pagerduty.routingKeyEnv === undefined),
    {
      message: 'give exactly one of routingKeyFile and routingKeyEnv',
    },
  );

/** Who to tell on the day, and how often status broadcasts. */
const notifySchema = z.strictObject({
  contacts: z
    .array(z.string().min(1))
    .default([])
    .describe('People, teams or channels to tell before, during and after each wave (free text, one each).'),
  webhookEnv: environmentVariableName
    .optional()
    .describe(
      'Environment variable holding a Slack-compatible webhook URL for status broadcasts: the URL carries a token, so it never goes into a file that is committed. Optional (the same as a webhooks entry with format slack).',
    ),
  webhooks: z
    .array(webhookSchema)
    .optional()
    .describe(
      'Further status webhooks, each {urlEnv, format}: Slack, Mattermost, Microsoft Teams, Discord or a JSON event stream. Optional.',
    ),
  pagerduty: pagerdutySchema
    .optional()
    .describe(
      'PagerDuty Events API v2: an incident per server that needs a person (dedup key per server), resolved when it no longer does, and one when a run is gone. Optional.',
    ),
  every: duration
    .default(DEFAULT_BROADCAST_EVERY_MS)
    .describe(
      'How often dbwave run (and dbwave status --every, when not told otherwise) broadcasts to the webhooks, a duration (default 30m); a server that needs a person is broadcast at once.',
    ),
});

/** The campaign's Prometheus metrics. */
const metricsSchema = z.strictObject({
  instance: textLine
    .min(1)
    .default('{{host}}:9104')
    .describe(
      "The instance label of the per-server metrics: how Prometheus names the server's mysqld_exporter target, so that dbwave's series join mysqld_exporter's on instance. A template (default {{host}}:9104, mysqld_exporter's port).",
    ),
});

/**
 * Where a server's baseline comes from. Without it (the default) the baseline is the minute of
 * samples taken before the server's window; with `prometheus`, the comparisons (analysis gate,
 * `dbwave compare`, canary bake, soak) compare with mysqld_exporter's series for the server at
 * the same hour on each of the past `days` days before its window, so its normal daily swing is
 * not read as the upgrade's effect (docs/baseline.md).
 */
const baselineSchema = z
  .strictObject({
    prometheus: z
      .url({ protocol: /^https?$/ })
      .describe(
        "Prometheus's base URL (http://prometheus:9090), whose /api/v1/query_range answers for mysqld_exporter's series.",
      ),
    days: z
      .number()
      .int()
      .min(1)
      .max(90)
      .default(7)
      .describe(
        'How many days before the window to look back: one same-hour window per day, so 7 covers every weekday once (default 7).',
      ),
    minDays: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe(
        'Fewer days with data than this and the history is not used: the comparison falls back to the sampled minute and says so (default 2: one day shows no swing).',
      ),
    window: duration
      .default(3_600_000)
      .describe("Each past day's window, centred on the comparison's time of day, a duration (default 1h)."),
    step: duration
      .default(60_000)
      .describe(
        "One history value per step inside each window; a counter's rate is taken over 4 steps, a duration (default 1m).",
      ),
    labels: z
      .record(
        z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name'),
        textLine.min(1),
      )
      .optional()
      .describe(
        "The labels that pick the server's mysqld_exporter series, each a template ({{host}}, {{name}}, {{vars.NAME}}, ...). Optional; default { instance: metrics.instance }.",
      ),
    timeout: duration
      .default(10_000)
      .describe('How long one query to Prometheus may take, a duration (default 10s).'),
  })
  .refine((baseline) => baseline.minDays <= baseline.days, {
    message: 'minDays must not exceed days',
    path: ['minDays'],
  });
export type BaselineSpec = z.output<typeof baselineSchema>;

/** What a campaign does to each server: derived from its versions (`kind`). */
export const CAMPAIGN_KINDS = ['upgrade', 'restart'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

/** A global variable's name as SQL takes it after @@GLOBAL. (never quoted, so checked). */
const variableName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, 'must be a system variable name, e.g. innodb_buffer_pool_size');

/** Checks after the start, through SQL. */
const verifySchema = z.strictObject({
  variables: z
    .record(variableName, z.union([z.number(), textLine]))
    .default({})
    .describe(
      "System variables and the value each must have after the start (SELECT @@GLOBAL.name), e.g. { innodb_buffer_pool_size: 268435456 }: a rolling restart's proof that its configure took effect. A number compares as a number, text as text (case-insensitive, ON/OFF). A mismatch fails the verify step (rollback). Optional.",
    ),
});

/** The campaign's keys, before the values derived from them. */
export const campaignFields = z.strictObject({
  campaign: identifier.describe(
    "The campaign's name: used in the state dir, journals, reports, metrics and templates ({{campaign}}).",
  ),
  fleet: z.string().min(1).describe('Folder of hardware-class files, relative to this file.'),
  timezone: timezone.describe(
    'IANA time zone of the dates and the daily window, e.g. America/Los_Angeles or UTC.',
  ),
  from: versionSchema.describe('The version the fleet runs now.'),
  to: versionSchema.describe(
    'The version the fleet is upgraded to; the same as from for a rolling restart (kind restart).',
  ),
  kind: z
    .enum(CAMPAIGN_KINDS)
    .optional()
    .describe(
      'upgrade (to.version differs from from.version) or restart (a rolling restart: the same version, commands.configure applied while each server is down). Derived from the versions; when written, it must agree with them. Optional.',
    ),
  verify: verifySchema
    .default(verifySchema.parse({}))
    .describe('Checks after the start, through SQL, besides the version (verify.variables).'),
  window: z
    .strictObject({
      start: timeOfDay.describe('Start of the daily window, local HH:MM.'),
      end: timeOfDay.describe('End of the daily window, local HH:MM; must be after the start.'),
    })
    .describe('The daily maintenance window, local to timezone.'),
  blackout: z.array(isoDate).default([]).describe('Days on which nothing runs, YYYY-MM-DD. Optional.'),
  waves: z
    .array(waveSpecSchema)
    .min(1, 'a campaign needs at least one wave')
    .describe('The waves in order, each {date | dates: FIRST..LAST, size: N | "P%" | rest, name}.'),

  target503: duration
    .default(600_000)
    .describe(
      "Target for each server's user-facing 503 window; an overrun is an alert. A duration (default 10m).",
    ),
  shutdown: shutdownSchema
    .default(shutdownSchema.parse({}))
    .describe('The clean shutdown: its budget and what happens past it.'),
  preflush: preflushSchema
    .default(preflushSchema.parse({}))
    .describe("Flushing InnoDB's dirty pages before the window opens, to shorten the clean shutdown."),
  prechecks: prechecksSchema
    .default(prechecksSchema.parse({}))
    .describe('Checks before a server is touched; a server that fails them never gets a window.'),
  topologyPrecheck: z
    .boolean()
    .default(true)
    .describe(
      "Before a run touches a server, compare each server's declared cluster and role with what the servers say (SHOW REPLICA/SLAVE STATUS, the replicas registered, read_only) and refuse the run on a mismatch; the same check lists the clients connected to each server, and an unexpected one asks the DBA (default true).",
    ),
  clients: clientsSchema
    .default(clientsSchema.parse({}))
    .describe(
      'Who else talks to the servers: the maintenance proxy and the clients expected around it (discover, the checklist and the run precheck list the rest).',
    ),
  concurrency: concurrencySchema
    .default(concurrencySchema.parse({}))
    .describe('How many servers are in flight at once.'),
  failureBudget: countOrPercent
    .default(0)
    .describe(
      'Failures a wave may absorb; one more (exceeded, not reached) halts it. A count or "P%" of the wave (default 0).',
    ),
  startTimeout: duration
    .default(600_000)
    .describe('How long to wait for a started server to answer, a duration (default 10m).'),
  ssh: z
    .strictObject({
      user: z
        .string()
        .min(1)
        .optional()
        .describe(
          "SSH user on the hosts. Optional; default ssh_config's User for the host, else the local user.",
        ),
      port: port
        .optional()
        .describe(
          "SSH port. Optional; a server's sshPort overrides; default ssh_config's Port for the host, else 22.",
        ),
      identity: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Private key file, relative to this file, offered first on every hop. Optional: ssh_config's IdentityFile and ssh-agent's keys are offered after it.",
        ),
      passphraseFile: z
        .string()
        .min(1)
        .optional()
        .describe(
          'File holding the passphrase of an encrypted identity, relative to this file (never the passphrase itself). Optional.',
        ),
      passphraseEnv: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Environment variable holding the passphrase of an encrypted identity (passphraseFile wins when both are set). Optional.',
        ),
      agent: z
        .boolean()
        .optional()
        .describe(
          'Offer the keys of the ssh-agent at SSH_AUTH_SOCK: true needs it, false never; unset uses it when SSH_AUTH_SOCK is set (as ssh does).',
        ),
      config: z
        .string()
        .min(1)
        .optional()
        .describe(
          'OpenSSH client config to read, such as ~/.ssh/config (~ is the home directory; otherwise relative to this file): Host and Match blocks give HostName, User, Port, IdentityFile, ProxyJump and UserKnownHostsFile for what this block leaves unset. Optional.',
        ),
      proxyJump: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Bastion(s) to reach every host through, as ssh -J takes them: [user@]host[:port], comma-separated, first hop first; none for no jump. Optional; default ssh_config's ProxyJump for the host.",
        ),
      knownHosts: z
        .string()
        .min(1)
        .optional()
        .describe(
          "known_hosts file for every host and bastion, relative to this file: host keys are always checked. Optional; default ssh_config's UserKnownHostsFile, else ~/.ssh/known_hosts.",
        ),
      connectTimeout: duration
        .default(10_000)
        .describe('SSH connect timeout per hop, a duration (default 10s).'),
    })
    .optional()
    .describe('How dbwave reaches the hosts over SSH. Optional; needed for classes with transport ssh.'),
  mysql: z
    .strictObject({
      user: z.string().min(1).describe('MySQL user dbwave connects as.'),
      passwordFile: z
        .string()
        .optional()
        .describe('File holding the password, relative to this file (never the password itself). Optional.'),
      passwordEnv: z.string().optional().describe('Environment variable holding the password. Optional.'),
      port: port.default(3306).describe("MySQL port (default 3306; a server's port overrides)."),
      connectTimeout: duration.default(5_000).describe('MySQL connect timeout, a duration (default 5s).'),
      tls: mysqlTlsSchema
        .optional()
        .describe(
          'Connect over TLS; a server without TLS is then refused. Optional; without it the password is protected only by the authentication plugin (see docs/engine.md).',
        ),
    })
    .optional()
    .describe('How dbwave connects to MySQL on each server. Optional.'),
  maintenance: maintenanceSchema
    .default({ adapter: 'none' })
    .describe("How each server's user-facing 503 window is opened and closed (default adapter: none)."),
  commands: commandsSchema
    .optional()
    .describe(
      'Command templates ({{name}}, {{host}}, {{vars.NAME}}, ..., each value shell-quoted). Optional.',
    ),
  stats: statsSchema
    .default(statsSchema.parse({}))
    .describe('InnoDB statistics: how they are sampled and compared before and after the upgrade.'),
  gates: gatesSchema
    .default(gatesSchema.parse({}))
    .describe("Health gates: readiness inside the window, analysis after it under users' traffic."),
  questions: questionsSchema
    .default(questionsSchema.parse({}))
    .describe(
      'The questions about inconclusive gates at a terminal: how long they wait and what decides when nobody answers.',
    ),
  canary: canarySchema
    .optional()
    .describe(
      'A canary stage in the first wave: { perClass: N, bake: 2h } or { servers: [db3, db7], bake: 30m }; the rest of the wave starts only once the canaries passed their bake. Optional.',
    ),
  pointOfNoReturn: z
    .enum([...POINT_OF_NO_RETURN_STEPS, 'never'])
    .optional()
    .describe(
      'After this step a downgrade is no longer safe (a data-dictionary change): the server is marked "needs user migration". Default: start (the first start on the new version) when from and to are different release series (10.11 -> 11.8, 8.0 -> 8.4), whose datadir the old version may not open again; never within a series and for a rolling restart.',
    ),
  stateDir: z
    .string()
    .optional()
    .describe(
      'Where journals, locks and command output live, relative to this file. Optional; default .dbwave/<campaign>.',
    ),
  state: stateSchema
    .optional()
    .describe(
      'Where the journal and the leases live: { store: file, dir } (the default, as stateDir) or { store: mysql, host, port, user, passwordFile | passwordEnv, database, tls } shared by every runner and operator. Optional.',
    ),
  soak: soakSchema
    .default(soakSchema.parse({}))
    .describe(
      "Soak: the wave's upgraded servers compared again hours after it ends, at each point, by dbwave soak or status --every; a failed point stops the next wave.",
    ),
  notify: notifySchema
    .optional()
    .describe(
      'Who to tell on the day: the checklist lists them; dbwave run (and dbwave status --every) broadcasts to the webhooks and PagerDuty. Optional.',
    ),
  owners: ownersSchema
    .optional()
    .describe(
      "Who is in charge of each day of the campaign: people: [{name, contact}] and days: [{date | dates: FIRST..LAST, name}]. The checklist, plan, show and status name the day's owner; dbwave handoff hands the day to another of the people. Optional.",
    ),
  baseline: baselineSchema
    .optional()
    .describe(
      "Where the baseline comes from: { prometheus: URL, days: 7 } compares with mysqld_exporter's history at the same hour of the past days. Optional; default the minute sampled before each server's window.",
    ),
  metrics: metricsSchema
    .default(metricsSchema.parse({}))
    .describe('The Prometheus metrics of dbwave run: the instance label that joins mysqld_exporter.'),
});

/** The fields as validated, before the derived values. */
type CampaignFields = z.output<typeof campaignFields>;

/** A rolling restart keeps the version: its kind is read from the versions, once, here. */
function kindOf(fields: Pick<CampaignFields, 'from' | 'to'>): CampaignKind {
  return fields.from.version === fields.to.version ? 'restart' : 'upgrade';
}

/** The default point of no return: safe for a change of release series (see the key's text). */
function defaultPointOfNoReturn(fields: CampaignFields, kind: CampaignKind): PointOfNoReturn {
  return kind === 'upgrade' && changesSeries(fields.from.version, fields.to.version) ? 'start' : 'never';
}

export type PointOfNoReturn = (typeof POINT_OF_NO_RETURN_STEPS)[number] | 'never';

/** The keys one kind needs or refuses, each problem at its key. */
function checkKind(fields: CampaignFields, context: z.RefinementCtx): void {
  const kind = kindOf(fields);
  if (fields.kind !== undefined && fields.kind !== kind) {
    context.addIssue({
      code: 'custom',
      path: ['kind'],
      message:
        kind === 'restart'
          ? `is ${fields.kind}, but to.version equals from.version (${fields.from.version}): that is a rolling restart (kind restart)`
          : `is ${fields.kind}, but to.version (${fields.to.version}) differs from from.version (${fields.from.version}): a restart keeps the version`,
    });
  }
  const commands = fields.commands;
  if (commands === undefined) return;
  const need = (key: 'upgrade' | 'rollback', why: string): void => {
    if (commands[key] === undefined)
      context.addIssue({ code: 'custom', path: ['commands', key], message: why });
  };
  if (kind === 'upgrade') {
    need('upgrade', 'is required: an upgrade installs the to version with it');
    need('rollback', 'is required: an upgrade rolls a failed server back with it');
    if (commands.configure !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['commands', 'configure'],
        message:
          'belongs to a rolling restart (to.version equal to from.version); an upgrade runs commands.upgrade',
      });
    }
  } else if (commands.configure !== undefined) {
    need(
      'rollback',
      'is required with commands.configure: a failed server gets its old configuration back with it',
    );
  }
}

/** A campaign file: `waves/<name>.yaml`, with its kind and point of no return decided once. */
export const campaignSchema = campaignFields.superRefine(checkKind).transform((fields) => {
  const kind = kindOf(fields);
  return {
    ...fields,
    kind,
    pointOfNoReturn: fields.pointOfNoReturn ?? defaultPointOfNoReturn(fields, kind),
    /** The point of no return was the default, not written: plan and checklist say why. */
    pointOfNoReturnDefaulted: fields.pointOfNoReturn === undefined,
  };
});

export type CampaignFile = z.input<typeof campaignSchema>;
export type Campaign = z.output<typeof campaignSchema>;
export type WaveSpec = z.output<typeof waveSpecSchema>;
export type MaintenanceSpec = Campaign['maintenance'];
export type CommandTemplates = NonNullable<Campaign['commands']>;
export type ClientsSpec = Campaign['clients'];
export type ExpectedClient = ClientsSpec['expected'][number];
