import { z } from 'zod';
import {
  countOrPercent,
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
    dates: z
      .string()
      .regex(/^\s*\S+\s*\.\.\s*\S+\s*$/, 'must be a range FIRST..LAST, e.g. 2011-09-27..2011-09-29')
      .describe(
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
  upgrade: template.describe(
    'Command template that installs the to version, e.g. apt-get install -y {{toPackage}}. Only ever run with mysqld stopped.',
  ),
  rollback: template.describe(
    'Command template that reinstalls the from version. Only ever run with mysqld stopped.',
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
      "Names of dbwave's environment variables that commands run on this machine (transport local, a local maintenance command) also get, e.g. [DOCKER_HOST]. They always get PATH, HOME, USER, LOGNAME, TZ and LANG=LC_ALL=C, and never the variables named by mysql.passwordEnv or notify.webhookEnv. Optional.",
    ),
});

const haproxyMaintenance = z.strictObject({
  adapter: z
    .literal('haproxy')
    .describe("haproxy: the 503 window puts the server in maint through HAProxy's runtime API."),
  socket: z
    .string()
    .min(1)
    .describe(
      "HAProxy's runtime API: a unix socket path (relative to the campaign file) or tcp://host:port.",
    ),
  backend: template.describe('Backend name template, e.g. {{shard}}.'),
  server: template.describe('Server name template inside the backend, e.g. {{name}}.'),
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
});

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

/** Who to tell on the day, and how often status broadcasts. */
const notifySchema = z.strictObject({
  contacts: z
    .array(z.string().min(1))
    .default([])
    .describe('People, teams or channels to tell before, during and after each wave (free text, one each).'),
  webhookEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional()
    .describe(
      'Environment variable holding a Slack-compatible webhook URL for status broadcasts: the URL carries a token, so it never goes into a file that is committed. Optional.',
    ),
  every: duration
    .default(DEFAULT_BROADCAST_EVERY_MS)
    .describe(
      'How often dbwave status --every broadcasts when not told otherwise, a duration (default 30m).',
    ),
});

/** A campaign file: `waves/<name>.yaml`. */
export const campaignSchema = z.strictObject({
  campaign: identifier.describe(
    "The campaign's name: used in the state dir, journals, reports, metrics and templates ({{campaign}}).",
  ),
  fleet: z.string().min(1).describe('Folder of hardware-class files, relative to this file.'),
  timezone: timezone.describe(
    'IANA time zone of the dates and the daily window, e.g. America/Los_Angeles or UTC.',
  ),
  from: versionSchema.describe('The version the fleet runs now.'),
  to: versionSchema.describe('The version the fleet is upgraded to.'),
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
      user: z.string().min(1).describe('SSH user on the hosts.'),
      port: port.default(22).describe("SSH port (default 22; a server's sshPort overrides)."),
      identity: z.string().min(1).describe('Private key file, relative to this file.'),
      knownHosts: z
        .string()
        .min(1)
        .describe('known_hosts file, relative to this file: host keys are always checked.'),
      connectTimeout: duration.default(10_000).describe('SSH connect timeout, a duration (default 10s).'),
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
      tls: z
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
        })
        .optional()
        .describe(
          'Connect over TLS; a server without TLS is then refused. Optional; without it the password is protected only by the authentication plugin (see docs/engine.md).',
        ),
    })
    .optional()
    .describe('How dbwave connects to MySQL on each server. Optional.'),
  maintenance: z
    .discriminatedUnion('adapter', [haproxyMaintenance, httpMaintenance, commandMaintenance, noMaintenance])
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
  pointOfNoReturn: z
    .enum([...POINT_OF_NO_RETURN_STEPS, 'never'])
    .default('never')
    .describe(
      'After this step a downgrade is no longer safe (a data-dictionary change): the server is marked "needs user migration" (default never).',
    ),
  stateDir: z
    .string()
    .optional()
    .describe(
      'Where journals, locks and command output live, relative to this file. Optional; default .dbwave/<campaign>.',
    ),
  notify: notifySchema
    .optional()
    .describe(
      'Who to tell on the day: the checklist lists them; dbwave status --every broadcasts to the webhook. Optional.',
    ),
});

export type CampaignFile = z.input<typeof campaignSchema>;
export type Campaign = z.output<typeof campaignSchema>;
export type WaveSpec = z.output<typeof waveSpecSchema>;
export type MaintenanceSpec = Campaign['maintenance'];
export type CommandTemplates = NonNullable<Campaign['commands']>;
export type ClientsSpec = Campaign['clients'];
export type ExpectedClient = ClientsSpec['expected'][number];
