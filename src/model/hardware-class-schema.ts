import { z } from 'zod';
import { duration, host, identifier, port, templateVars, textLine } from './schema-primitives.js';

// Each key's `.describe()` text is what an editor shows on hover (through schemas/*.json) and
// the key's documentation here: it is not repeated in a comment.

/** One database server of a hardware class. */
export const serverSchema = z.strictObject({
  name: identifier.describe(
    "The server's name, unique across the whole fleet; used in journals, reports, metrics and command templates ({{name}}).",
  ),
  host: host.describe('Hostname or IP address where SSH and MySQL answer (nothing else: no user, no port).'),
  port: port.optional().describe("MySQL port. Optional; default the campaign's mysql.port, else 3306."),
  sshPort: port.optional().describe("SSH port. Optional; default the campaign's ssh.port, else 22."),
  sshUser: identifier
    .optional()
    .describe("SSH user on this server (Ansible's ansible_user). Optional; default the campaign's ssh.user."),
  mdLayout: z
    .string()
    .optional()
    .describe(
      'Linux md layout (raid10, raid5, ...). Optional; the planner spreads each class across its layouts.',
    ),
  datacenter: z
    .string()
    .optional()
    .describe("The server's datacenter. Optional; default the class's datacenter."),
  cluster: identifier
    .optional()
    .describe(
      'Replication cluster. Optional; never two servers of one cluster in flight at once, replicas before their primary.',
    ),
  role: z
    .enum(['primary', 'replica'])
    .optional()
    .describe(
      'primary or replica in its replication cluster (needs a cluster). Optional; a primary is never upgraded before its replicas.',
    ),
  shard: identifier
    .optional()
    .describe('The user shard or service its 503 window covers ({{shard}} in templates). Optional.'),
  dataDir: textLine
    .optional()
    .describe('MySQL datadir on the host, for the free-disk-space precheck. Optional.'),
  errorLog: textLine
    .optional()
    .describe('MySQL error log on the host, for clean-shutdown detection and the error-log gates. Optional.'),
  tags: z.array(textLine).optional().describe('Free-form labels for people. Optional.'),
  vars: templateVars
    .optional()
    .describe(
      "Extra template variables for this server ({{vars.NAME}}); they override the class's. Optional.",
    ),
});

const timingSchema = z.strictObject({
  p50: duration.describe('Median time for one server, a duration such as 8m.'),
  p95: duration.describe('95th-percentile time for one server, a duration such as 45m.'),
});

/** A hardware class file: `hardware-classes/<id>.yaml`. */
export const hardwareClassSchema = z.strictObject({
  id: identifier.describe("The class's id: must match the file name (<id>.yaml)."),
  description: textLine.describe('What the class is, for people, e.g. "6-drive iX (old PHX)".'),
  datacenter: textLine.describe("Datacenter of the class's servers (a server may override it)."),
  drives: z.number().int().positive().describe('Number of drives in each server of the class.'),
  transport: z
    .enum(['ssh', 'local'])
    .default('ssh')
    .describe(
      'How commands reach the hosts: ssh (default) runs them on the host over SSH; local runs them on the machine running dbwave (cloud CLIs, containers).',
    ),
  expected: z
    .strictObject({
      shutdown: timingSchema.describe('Time a clean shutdown takes (innodb_fast_shutdown=0), p50 and p95.'),
      start: timingSchema.describe('Time mysqld takes to start and answer, p50 and p95.'),
      upgrade: timingSchema
        .optional()
        .describe(
          'Time of the package upgrade plus the post-upgrade step, p50 and p95. Optional; default 1m / 3m.',
        ),
    })
    .describe("Per-server timings, for the planner's capacity estimate."),
  concurrency: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "At most this many servers of this class in flight at once. Optional; overrides the campaign's concurrency.perClass.",
    ),
  vars: templateVars
    .optional()
    .describe(
      'Template variables for every server of the class ({{vars.NAME}} in command templates). Optional.',
    ),
  servers: z
    .array(serverSchema)
    .min(1, 'a class needs at least one server')
    .describe("The class's database servers (at least one)."),
});

export type ServerSpec = z.output<typeof serverSchema>;
export type HardwareClass = z.output<typeof hardwareClassSchema>;

/** A server's datacenter: its own, else its class's. */
export function serverDatacenter(server: ServerSpec, hardwareClass: HardwareClass): string {
  return server.datacenter ?? hardwareClass.datacenter;
}
