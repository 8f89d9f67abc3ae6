import { z } from 'zod';
import { duration, host, identifier, port, templateVars } from './schema-primitives.js';

/** One database server of a hardware class. */
export const serverSchema = z.strictObject({
  /** Unique across the whole fleet; used in journals, reports, metrics and templates. */
  name: identifier,
  /** Hostname or IP address where SSH and MySQL answer. */
  host,
  /** MySQL port; default from the campaign's `mysql.port` (3306). */
  port: port.optional(),
  /** SSH port; default from the campaign's `ssh.port` (22). */
  sshPort: port.optional(),
  /** Linux md layout (raid10, raid5, ...): the planner spreads each class across layouts. */
  mdLayout: z.string().optional(),
  /** Overrides the class's datacenter. */
  datacenter: z.string().optional(),
  /** Replication cluster: never two of one cluster in flight, replicas before their primary. */
  cluster: identifier.optional(),
  role: z.enum(['primary', 'replica']).optional(),
  /** The user shard or service its 503 window covers. */
  shard: identifier.optional(),
  /** MySQL datadir on the host: disk-space precheck. */
  dataDir: z.string().optional(),
  /** MySQL error log on the host: clean-shutdown detection and error-log gates. */
  errorLog: z.string().optional(),
  tags: z.array(z.string()).optional(),
  /** Extra template variables for this server (`{{vars.NAME}}`); override the class's. */
  vars: templateVars.optional(),
});

const timingSchema = z.strictObject({ p50: duration, p95: duration });

/** A hardware class file: `hardware-classes/<id>.yaml`. */
export const hardwareClassSchema = z.strictObject({
  /** Must match the file name (`<id>.yaml`). */
  id: identifier,
  description: z.string(),
  datacenter: z.string(),
  drives: z.number().int().positive(),
  /**
   * How commands reach the hosts: `ssh` (default) runs them on the host over SSH; `local` runs
   * them on the machine running dbwave (cloud CLIs, containers).
   */
  transport: z.enum(['ssh', 'local']).default('ssh'),
  /** Per-server timings, for the planner's capacity estimate. */
  expected: z.strictObject({
    shutdown: timingSchema,
    start: timingSchema,
    /** Package upgrade plus post-upgrade; default 1m/3m. */
    upgrade: timingSchema.optional(),
  }),
  /** At most this many servers of this class in flight at once (overrides the campaign's perClass). */
  concurrency: z.number().int().positive().optional(),
  /** Template variables for every server of the class. */
  vars: templateVars.optional(),
  servers: z.array(serverSchema).min(1, 'a class needs at least one server'),
});

export type ServerSpec = z.output<typeof serverSchema>;
export type HardwareClass = z.output<typeof hardwareClassSchema>;
