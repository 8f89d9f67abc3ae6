import { TransportError } from '../../../../src/core/errors.js';
import type { StepName } from '../../../../src/engine/journal/journal-record.js';
import type { ErrorLogTail } from '../../../../src/engine/ports/host-commands.js';
import type { CommandResult } from '../../../../src/engine/ports/remote-shell.js';
import type { SqlRow } from '../../../../src/engine/ports/sql-session.js';
import type { TemplateCommand } from '../../../../src/model/campaign-templates.js';
import type { StopTimeout } from '../../../../src/model/systemd-stop-timeout.js';
import type { CrashSwitch } from './crash-switch.js';
import { FROM, TO } from './fake-versions.js';

export interface FakeFaults {
  /** The new version never starts. */
  startFailsOnNew?: boolean;
  /** mysqld exits without "Shutdown complete". */
  uncleanShutdown?: boolean;
  /** After stop, mysqld never exits. */
  hang?: boolean;
  /** The stop command fails and the server keeps running. */
  stopFails?: boolean;
  /** SSH refuses connections. */
  sshDown?: boolean;
  postUpgradeFails?: boolean;
  /** `commands.prepare` exits non-zero (the package download or its checksum failed). */
  prepareFails?: boolean;
  /** The new version reports this instead of TO. */
  reportsVersion?: string;
}

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '', durationMs: 1 });
const fail = (stderr: string, exitCode = 1): CommandResult => ({
  exitCode,
  stdout: '',
  stderr,
  durationMs: 1,
});

/**
 * One database server as the fakes see it: process, package, InnoDB gauges, error log. The
 * engine reaches it through FakeHostCommands (the host) and `query` (SQL); what the campaign's
 * commands do here is what a DBA's scripts do on a real host, down to their exit statuses.
 */
export class FakeDbServer {
  installed = FROM;
  running = true;
  runningVersion = FROM;
  stopping = false;
  /** `running` looks left before a stopping server exits. */
  exitAfterPolls = 2;
  dirtyPages = 20_000;
  historyListLength = 500;
  /** The value in the server's config file: a start brings it back, as a real restart does. */
  readonly configuredMaxDirtyPagesPct = 90;
  maxDirtyPagesPct = this.configuredMaxDirtyPagesPct;
  /** innodb_io_capacity and its ceiling, as a restart leaves them. */
  readonly ioCapacity = { innodb_io_capacity: 200, innodb_io_capacity_max: 2000 };
  /** innodb_max_dirty_pages_pct when the last stop began. */
  maxDirtyPagesPctAtStop: number | undefined;
  fastShutdown = 1;
  oldestTransactionS = 0;
  freeKb = 50_000_000;
  errorLog = startLines(FROM);
  faults: FakeFaults = {};
  /** System variables this server does not have (MySQL 5.1: innodb_io_capacity_max). */
  missingVariables = new Set<string>();
  /** `@@version_comment`, as Debian's MariaDB answers it. */
  versionComment = 'Debian 12';
  /** innodb_buffer_pool_size in the config file, what `configure` writes, and what runs. */
  configuredBufferPoolSize = 134_217_728;
  nextBufferPoolSize = 268_435_456;
  bufferPoolSize = this.configuredBufferPoolSize;
  configures = 0;
  /** The timeout each command was last run with: a blocking stop must get the hard limit. */
  readonly timeouts = new Map<TemplateCommand, number>();
  /** The systemd unit's TimeoutStopSec as `systemctl show` gives it; undefined: no systemd here. */
  systemdStopTimeout: StopTimeout | undefined;
  /**
   * Every host command the engine asked for, in order: a template's name (`stop`, `upgrade`...)
   * or one of the engine's own reads (`error-log-size`, `df`, `running-or-error-log`...).
   */
  readonly calls: string[] = [];
  /** The same calls grouped by round trip to the host: a batch is one round trip of several. */
  readonly roundTrips: { readonly step: StepName; readonly calls: string[] }[] = [];
  /** Called as a template command reaches the server, before it acts: a test's hold on that moment. */
  onCommand: ((command: TemplateCommand) => void) | undefined;
  upgrades = 0;
  rollbacks = 0;
  starts = 0;

  constructor(
    readonly name: string,
    readonly crash: CrashSwitch,
  ) {}

  get answersSql(): boolean {
    return this.running && !this.stopping;
  }

  /** The campaign's `command` run on this host: what it does, and how it answers. */
  command(command: TemplateCommand): CommandResult {
    this.onCommand?.(command);
    switch (command) {
      case 'running':
        return this.lookAtProcess() ? ok('running') : fail('not running');
      case 'stop':
        return this.stop();
      case 'start':
        return this.start();
      case 'installedVersion':
        return ok(`${this.installed}\n`);
      case 'upgrade':
        if (this.running) return fail('refusing to upgrade: mariadbd is running', 3);
        this.upgrades += 1;
        this.installed = TO;
        return ok('switched');
      case 'rollback':
        if (this.running) return fail('refusing to roll back: mariadbd is running', 3);
        this.rollbacks += 1;
        this.installed = FROM;
        return ok('switched');
      case 'postUpgrade':
        return this.faults.postUpgradeFails ? fail('mariadb-upgrade failed') : ok('done');
      case 'prepare':
        return this.faults.prepareFails ? fail('checksum mismatch') : ok('downloaded');
      case 'configure':
        if (this.running) return fail('refusing to configure: mariadbd is running', 3);
        this.configures += 1;
        this.configuredBufferPoolSize = this.nextBufferPoolSize;
        return ok('configured');
    }
  }

  private globalText(name: string): string {
    if (name === 'innodb_max_dirty_pages_pct') return String(this.maxDirtyPagesPct);
    if (name === 'innodb_io_capacity' || name === 'innodb_io_capacity_max')
      return String(this.ioCapacity[name]);
    throw new Error(`fake SQL has no variable ${name}`);
  }

  /** The error log's size in bytes. */
  errorLogSize(): number {
    return Buffer.byteLength(this.errorLog);
  }

  /** What the error log gained since `offset` (all of it when it is shorter: rotated), at most `maxBytes`. */
  errorLogSince(offset: number, maxBytes: number): ErrorLogTail {
    const log = Buffer.from(this.errorLog);
    const rotated = log.length < offset;
    const start = rotated ? 0 : offset;
    return { size: log.length, start, rotated, text: log.subarray(start, start + maxBytes).toString() };
  }

  /** One look at the process, as `running` takes it: a stopping server exits after `exitAfterPolls` looks. */
  private lookAtProcess(): boolean {
    if (this.running && this.stopping && !this.faults.hang) {
      this.exitAfterPolls -= 1;
      if (this.exitAfterPolls <= 0) this.exit();
    }
    return this.running;
  }

  private stop(): CommandResult {
    if (this.faults.stopFails) return fail('stop: permission denied');
    if (this.running) {
      this.stopping = true;
      this.maxDirtyPagesPctAtStop = this.maxDirtyPagesPct;
    }
    return ok('shutdown initiated');
  }

  private start(): CommandResult {
    if (this.running) return ok('already running');
    if (this.faults.startFailsOnNew && this.installed === TO) {
      this.errorLog += '[ERROR] unknown variable\n';
      return fail('mariadbd exited at once');
    }
    this.starts += 1;
    this.running = true;
    this.maxDirtyPagesPct = this.configuredMaxDirtyPagesPct;
    this.ioCapacity.innodb_io_capacity = 200;
    this.ioCapacity.innodb_io_capacity_max = 2000;
    this.stopping = false;
    this.exitAfterPolls = 2;
    this.runningVersion = this.installed;
    this.bufferPoolSize = this.configuredBufferPoolSize;
    this.errorLog += startLines(this.installed);
    return ok('started');
  }

  private exit(): void {
    this.running = false;
    this.stopping = false;
    this.dirtyPages = 0;
    if (!this.faults.uncleanShutdown)
      this.errorLog += '2026-11-24  2:00:00 0 [Note] /usr/sbin/mariadbd: Shutdown complete\n';
  }

  query(sql: string): SqlRow[] {
    if (!this.answersSql) throw new TransportError(this.name, 'connection refused');
    if (/SELECT VERSION\(\)/.test(sql)) {
      const version =
        this.runningVersion === TO && this.faults.reportsVersion
          ? this.faults.reportsVersion
          : this.runningVersion;
      return [{ version: `${version}-MariaDB-log`, comment: this.versionComment }];
    }
    const shown = /^SHOW GLOBAL VARIABLES WHERE Variable_name IN \((.*)\)$/.exec(sql);
    if (shown) {
      const names = [...(shown[1] ?? '').matchAll(/'(\w+)'/g)].map((match) => match[1] as string);
      return names
        .filter((name) => !this.missingVariables.has(name))
        .map((name) => ({ Variable_name: name, Value: this.globalText(name) }));
    }
    if (/@@GLOBAL\.innodb_buffer_pool_size/.test(sql)) return [{ value: this.bufferPoolSize }];
    if (/@@GLOBAL\.datadir/.test(sql)) return [{ value: '/var/lib/mysql/' }];
    if (/@@GLOBAL\.log_error/.test(sql)) return [{ value: './host.err' }];
    if (/@@GLOBAL\.innodb_max_dirty_pages_pct/.test(sql)) return [{ value: String(this.maxDirtyPagesPct) }];
    const io = /@@GLOBAL\.(innodb_io_capacity(?:_max)?)\b/.exec(sql);
    if (io) return [{ value: String(this.ioCapacity[io[1] as keyof FakeDbServer['ioCapacity']]) }];
    const set = /SET GLOBAL (\w+) = (\d+)/.exec(sql);
    if (set) {
      if (this.missingVariables.has(set[1] ?? '')) throw new Error(`Unknown system variable '${set[1]}'`);
      if (set[1] === 'innodb_max_dirty_pages_pct') this.maxDirtyPagesPct = Number(set[2]);
      if (set[1] === 'innodb_io_capacity' || set[1] === 'innodb_io_capacity_max') {
        const name = set[1];
        const value = Number(set[2]);
        // As MariaDB does: io_capacity may not exceed io_capacity_max.
        if (name === 'innodb_io_capacity' && value > this.ioCapacity.innodb_io_capacity_max) {
          throw new Error(`innodb_io_capacity ${value} above innodb_io_capacity_max`);
        }
        this.ioCapacity[name] = value;
      }
      if (set[1] === 'innodb_fast_shutdown') this.fastShutdown = Number(set[2]);
      return [];
    }
    if (/SHOW GLOBAL STATUS/.test(sql)) {
      if (this.maxDirtyPagesPct < 10) this.dirtyPages = Math.max(0, this.dirtyPages - 5_000);
      return [
        { Variable_name: 'Innodb_buffer_pool_pages_dirty', Value: String(this.dirtyPages) },
        { Variable_name: 'Innodb_history_list_length', Value: String(this.historyListLength) },
      ];
    }
    if (/innodb_trx/.test(sql)) return [{ age: this.oldestTransactionS }];
    // The run's topology precheck: a standalone server with dbwave as its only client.
    if (/@@GLOBAL\.server_id/.test(sql)) return [{ value: Number(/\d+/.exec(this.name)?.[0] ?? 1) }];
    if (/@@GLOBAL\.read_only/.test(sql)) return [{ value: 0 }];
    if (/CONNECTION_ID\(\)/.test(sql)) return [{ value: 1 }];
    if (/^SHOW (REPLICA|SLAVE) (STATUS|HOSTS)$/.test(sql)) return [];
    if (/information_schema\.PROCESSLIST/.test(sql)) {
      return [{ ID: 1, USER: 'dbwave', HOST: '127.0.0.1:40000', COMMAND: 'Query' }];
    }
    if (sql === 'SELECT 1') return [{ 1: 1 }];
    throw new Error(`fake SQL does not know: ${sql}`);
  }
}

/** What mariadbd writes to its error log once it serves, as the local fleet's MariaDB writes it. */
function startLines(version: string): string {
  return `2026-11-24  2:00:00 0 [Note] /usr/sbin/mariadbd: ready for connections.\nVersion: '${version}-MariaDB-log'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12\n`;
}
