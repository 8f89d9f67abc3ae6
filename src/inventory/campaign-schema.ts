import { z } from 'zod';
import {
  countOrPercent,
  duration,
  identifier,
  isoDate,
  port,
  timeOfDay,
  timezone,
  waveSize,
} from './schema-primitives.js';

/**
 * The campaign file a DBA writes (`waves/<name>.yaml`). Only the planning keys are required;
 * everything the engine needs has a safe default, documented on the key.
 */

const versionSchema = z.strictObject({
  /** The version string the server reports (`SELECT VERSION()` starts with it). */
  version: z.string().min(1),
  /** Package spec the upgrade installs, e.g. `percona-server-server-5.1=5.1.58-rel12.9`. */
  package: z.string().optional(),
});

/** One wave: a day or a range of days, and how many servers. */
export const waveSpecSchema = z.union([
  z.strictObject({ date: isoDate, size: waveSize, name: z.string().optional() }),
  z.strictObject({
    /** `2011-09-27..2011-09-29`, both ends included; blackout days inside are skipped. */
    dates: z
      .string()
      .regex(/^\s*\S+\s*\.\.\s*\S+\s*$/, 'must be a range FIRST..LAST, e.g. 2011-09-27..2011-09-29'),
    size: waveSize,
    name: z.string().optional(),
  }),
]);

/** A command template: `{{name}}`-style variables, each substituted shell-quoted. */
const template = z.string().min(1);

const commandsSchema = z.strictObject({
  /** Starts a clean shutdown (after dbwave has set innodb_fast_shutdown=0); may return at once. */
  stop: template,
  /** Starts mysqld; dbwave then waits until it answers. */
  start: template,
  /** Exit status 0 while mysqld runs, non-zero when it does not. */
  running: template,
  /** Prints the installed server version (probe for resume, verify while down). */
  installedVersion: template,
  /** Installs `to` (e.g. `apt-get install -y {{toPackage}}`). Only ever run with mysqld stopped. */
  upgrade: template,
  /** Reinstalls `from`. Only ever run with mysqld stopped. */
  rollback: template,
  /** mysql_upgrade / mariadb-upgrade, with the new server running. */
  postUpgrade: template.optional(),
  /** Per-command timeout (default 10m); shutdown and start waits have their own budgets. */
  timeout: duration.default(600_000),
  /** Output kept per command in the state dir, bytes (default 64 KiB; the tail is kept). */
  maxOutputBytes: z.number().int().positive().default(65_536),
});

const haproxyMaintenance = z.strictObject({
  adapter: z.literal('haproxy'),
  /** Runtime API: a unix socket path (relative to the campaign file) or `tcp://host:port`. */
  socket: z.string().min(1),
  /** Backend name template, e.g. `{{shard}}`. */
  backend: template,
  /** Server name template inside the backend, e.g. `{{name}}`. */
  server: template,
});

const httpCall = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('POST'),
  url: template,
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});

const httpMaintenance = z.strictObject({
  adapter: z.literal('http'),
  open: httpCall,
  close: httpCall,
  /** Answers 2xx while the window is open, 404 (or other non-2xx) when closed; optional. */
  status: httpCall.optional(),
});

const commandMaintenance = z.strictObject({
  adapter: z.literal('command'),
  open: template,
  close: template,
  /** Exit 0 while the window is open, 1 when closed; optional. */
  status: template.optional(),
  /** Where the commands run: `local` (default, the load balancer's CLI) or `ssh` on the server. */
  transport: z.enum(['local', 'ssh']).default('local'),
});

/** No user-facing window (a lab, or a service with its own failover). */
const noMaintenance = z.strictObject({ adapter: z.literal('none') });

const thresholdSchema = z.strictObject({
  /** Relative change allowed, e.g. 0.5 = ±50%. */
  relative: z.number().nonnegative(),
  /** Changes smaller than this absolute amount (per second, or gauge units) never flag. */
  floor: z.number().nonnegative().default(0),
});

/** A per-metric threshold may also say which way a change is bad (see stats/compare/metric-catalog.ts). */
const metricThresholdSchema = thresholdSchema.extend({
  /**
   * `higher-is-worse` / `lower-is-worse` judge the metric; `informational` only reports it.
   * Default: the catalog's (workload metrics such as rows_read are informational).
   */
  direction: z.enum(['higher-is-worse', 'lower-is-worse', 'informational']).optional(),
});

const statsSchema = z.strictObject({
  /** Sample intervals per sampling: N intervals take N + 1 readings, `interval` apart. */
  samples: z.number().int().min(2).default(6),
  interval: duration.default(10_000),
  /** After the window closes, wait this long (and for the buffer pool load) before sampling. */
  warmup: duration.default(60_000),
  /**
   * With innodb_buffer_pool_load_at_startup on, wait at most this long for the load to finish
   * before the warm-up starts; past it, sampling goes on and the comparison says so.
   */
  bufferPoolLoadTimeout: duration.default(600_000),
  /** Default threshold for every metric. */
  threshold: thresholdSchema.default({ relative: 0.5, floor: 1 }),
  /** Per metric name overrides (names as in the StatsRecord series: `buffer_pool_reads`, ...). */
  thresholds: z.record(z.string(), metricThresholdSchema).default({}),
  /** Same-class servers not yet upgraded sampled as controls (0 turns controls off). */
  controls: z.number().int().min(0).default(2),
  /** Significance level of the control comparison. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** How a metric's intervals sum up into its before and after values: median resists outliers. */
  aggregate: z.enum(['median', 'mean']).default('median'),
});

const smokeQuerySchema = z.strictObject({
  name: z.string().min(1),
  sql: z.string().min(1),
  /** Expected first column of the first row, compared as text; omit to only require success. */
  expect: z.union([z.string(), z.number()]).transform(String).optional(),
  database: z.string().optional(),
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
  /** Regular expressions that make an error-log line a failure. */
  errorLogPatterns: z
    .array(regularExpression)
    .default(['\\[ERROR\\]', 'Assertion', 'assertion failure', 'mysqld got signal', 'Crash']),
  /** Lines matching these are ignored even if they match a failure pattern. */
  errorLogIgnore: z.array(regularExpression).default([]),
  smokeQueries: z.array(smokeQuerySchema).default([]),
  /** How long a replica may take to catch up after the window. */
  replicationTimeout: duration.default(300_000),
  /** Replication lag that still counts as caught up (Seconds_Behind_Master, whole seconds). */
  replicationMaxLag: duration.default(1_000),
  /** What an inconclusive verdict means when nobody is at a terminal. */
  inconclusive: z.enum(['continue', 'rollback', 'pause']).default('pause'),
  /** Run the InnoDB comparison as an analysis gate (after the window). */
  innodb: z.boolean().default(true),
});

export const STEP_NAMES_AFTER_WHICH_DOWNGRADE_IS_UNSAFE = [
  'upgrade',
  'start',
  'post-upgrade',
  'never',
] as const;

/** A campaign file: `waves/<name>.yaml`. */
export const campaignSchema = z.strictObject({
  campaign: identifier,
  /** Folder of hardware-class files, relative to this file. */
  fleet: z.string().min(1),
  timezone,
  from: versionSchema,
  to: versionSchema,
  /** The daily maintenance window, local to `timezone`. */
  window: z.strictObject({ start: timeOfDay, end: timeOfDay }),
  /** Days on which nothing runs. */
  blackout: z.array(isoDate).default([]),
  waves: z.array(waveSpecSchema).min(1, 'a campaign needs at least one wave'),

  /** Target for each server's user-facing 503 window; an overrun is an alert. */
  target503: duration.default(600_000),
  shutdown: z
    .strictObject({
      /** Budget for the clean shutdown (innodb_fast_shutdown=0). */
      budget: duration.default(3_600_000),
      /**
       * Past the budget: `wait` keeps waiting up to `hardLimit` and then upgrades as usual;
       * `abort` waits for the exit (mysqld is never killed), does not upgrade, starts the old
       * version and marks the server for a person.
       */
      overBudget: z.enum(['wait', 'abort']).default('wait'),
      /** With `wait`: give up after this long in all (default twice the budget). */
      hardLimit: duration.optional(),
    })
    .default({ budget: 3_600_000, overBudget: 'wait' }),
  preflush: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** innodb_max_dirty_pages_pct during the pre-flush. */
      dirtyPagesPct: z.number().min(0).max(99).default(0),
      /** Done when dirty pages are at most this many. */
      targetDirtyPages: z.number().int().min(0).default(1000),
      /**
       * Stop waiting after this long; the upgrade goes on, with whatever was flushed (the
       * settings stay changed until the shutdown).
       */
      timeout: duration.default(300_000),
      /**
       * Stop waiting once dirty pages have not fallen (by 5% of their lowest reading) for this
       * long: under write load the pool settles where the flush only keeps up. InnoDB flushes in
       * batches, with pauses of 10 s and more on a busy disk: keep it well above that. 0: wait
       * for the target or the timeout.
       */
      settle: duration.default(30_000),
      /**
       * innodb_io_capacity during the pre-flush (its _max raised to match when lower): at
       * innodb_max_dirty_pages_pct=0 InnoDB flushes at io_capacity, 200 pages/s by default,
       * slower than a loaded server dirties pages. 0 leaves both as they are.
       */
      ioCapacity: z.number().int().min(0).default(2000),
    })
    .default({
      enabled: true,
      dirtyPagesPct: 0,
      targetDirtyPages: 1000,
      timeout: 300_000,
      settle: 30_000,
      ioCapacity: 2000,
    }),
  prechecks: z
    .strictObject({
      /** A transaction open longer than this would stretch the shutdown: precheck fails. */
      maxTransactionAge: duration.default(60_000),
      /** Free space required on the datadir's filesystem. */
      minFreeDiskMb: z.number().int().min(0).default(1024),
    })
    .default({ maxTransactionAge: 60_000, minFreeDiskMb: 1024 }),
  concurrency: z
    .strictObject({
      /** Servers in flight at once in a wave. */
      wave: z.number().int().positive().default(1),
      /** Servers of one hardware class in flight at once (a class's `concurrency` overrides). */
      perClass: z.number().int().positive().optional(),
    })
    .default({ wave: 1 }),
  /** Failures a wave may absorb; one more (exceeded, not reached) halts it. Count or "P%". */
  failureBudget: countOrPercent.default(0),
  /** Waits for a started server to answer. */
  startTimeout: duration.default(600_000),
  ssh: z
    .strictObject({
      user: z.string().min(1),
      port: port.default(22),
      /** Private key file, relative to this file. */
      identity: z.string().min(1),
      /** known_hosts file, relative to this file: host keys are always checked. */
      knownHosts: z.string().min(1),
      connectTimeout: duration.default(10_000),
    })
    .optional(),
  mysql: z
    .strictObject({
      user: z.string().min(1),
      /** File holding the password, relative to this file (never the password itself). */
      passwordFile: z.string().optional(),
      /** Environment variable holding the password. */
      passwordEnv: z.string().optional(),
      port: port.default(3306),
      connectTimeout: duration.default(5_000),
    })
    .optional(),
  maintenance: z
    .discriminatedUnion('adapter', [haproxyMaintenance, httpMaintenance, commandMaintenance, noMaintenance])
    .default({ adapter: 'none' }),
  commands: commandsSchema.optional(),
  stats: statsSchema.default(statsSchema.parse({})),
  gates: gatesSchema.default(gatesSchema.parse({})),
  /** After this step a downgrade is no longer safe (a data-dictionary change): "needs user migration". */
  pointOfNoReturn: z.enum(STEP_NAMES_AFTER_WHICH_DOWNGRADE_IS_UNSAFE).default('never'),
  /** Where journals, locks and command output live, relative to this file (default `.dbwave/<campaign>`). */
  stateDir: z.string().optional(),
  /** Who to tell on the day: the checklist lists them; `dbwave status --every` broadcasts to the webhook. */
  notify: z
    .strictObject({
      /** People, teams or channels to tell before, during and after each wave (free text, one each). */
      contacts: z.array(z.string().min(1)).default([]),
      /**
       * Environment variable holding a Slack-compatible webhook URL for status broadcasts: the URL
       * carries a token, so it never goes into a file that is committed.
       */
      webhookEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
        .optional(),
      /** How often `dbwave status --every` broadcasts when not told otherwise (default 30m). */
      every: duration.default(1_800_000),
    })
    .optional(),
});

export type CampaignFile = z.input<typeof campaignSchema>;
export type Campaign = z.output<typeof campaignSchema>;
export type WaveSpec = z.output<typeof waveSpecSchema>;
export type MaintenanceSpec = Campaign['maintenance'];
export type CommandTemplates = NonNullable<Campaign['commands']>;
