import { TransportError } from '../../../../src/core/errors.js';
import type { MaintenanceWindow } from '../../../../src/engine/ports/maintenance-window.js';
import type { CommandResult, ExecOptions, RemoteShell } from '../../../../src/engine/ports/remote-shell.js';
import type { ServerConnectors } from '../../../../src/engine/ports/server-connectors.js';
import type { SqlRow, SqlSession } from '../../../../src/engine/ports/sql-session.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';

export const FROM = '10.11.18';
export const TO = '10.11.19';

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
  /** The new version reports this instead of TO. */
  reportsVersion?: string;
}

/** Thrown by every fake once the simulated dbwave process has "died". */
export class Crash extends Error {
  constructor() {
    super('dbwave was killed');
  }
}

/** Counts every call into a port; past `crashAfter` calls, every call throws Crash. */
export class CrashSwitch {
  calls = 0;
  crashAfter = Number.POSITIVE_INFINITY;

  tick(): void {
    if (this.calls >= this.crashAfter) throw new Crash();
    this.calls += 1;
  }
}

/** One database server as the fakes see it: process, package, InnoDB gauges, error log. */
export class FakeDbServer {
  installed = FROM;
  running = true;
  runningVersion = FROM;
  stopping = false;
  /** `running` polls left before a stopping server exits. */
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
  errorLog = 'mariadbd: ready for connections\n';
  faults: FakeFaults = {};
  /** Every command line run on the host, in order. */
  readonly commands: string[] = [];
  upgrades = 0;
  rollbacks = 0;
  starts = 0;

  constructor(
    readonly name: string,
    readonly crash: CrashSwitch = new CrashSwitch(),
  ) {}

  get answersSql(): boolean {
    return this.running && !this.stopping;
  }

  exec(line: string): CommandResult {
    this.commands.push(line);
    const words = line.split(/\s+/);
    const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '', durationMs: 1 });
    const fail = (stderr: string, exitCode = 1): CommandResult => ({
      exitCode,
      stdout: '',
      stderr,
      durationMs: 1,
    });
    const path = /'([^']*)'$/.exec(line)?.[1];
    if (words[0] === 'stat') return ok(`${Buffer.byteLength(this.errorLog)}\n`);
    const watch = /^n=0; while \( (.*) \) >\/dev\/null 2>&1; do .*; done; echo exited; (.*)$/.exec(line);
    if (watch) {
      // ServerCommands.runningOrErrorLog: its watch on the host as one running check here, then
      // the log once it has exited.
      this.commands.pop();
      if (this.exec(watch[1] ?? '').exitCode === 0) return ok('running\n');
      const offset = Number(/-lt (\d+)/.exec(watch[2] ?? '')?.[1] ?? '0');
      const log = Buffer.from(this.errorLog);
      const from = log.length < offset ? 0 : offset;
      return ok(`exited\n${log.length}\n${log.subarray(from).toString()}`);
    }
    if (line.startsWith('if [ -e ') && line.includes('tail -c')) {
      // errorLogTailCommand: the size on the first line, then the log from the offset.
      const offset = Number(/-lt (\d+)/.exec(line)?.[1] ?? '0');
      const log = Buffer.from(this.errorLog);
      const from = log.length < offset ? 0 : offset;
      return ok(`${log.length}\n${log.subarray(from).toString()}`);
    }
    if (words[0] === 'tail') {
      const from = Number(/\+(\d+)/.exec(line)?.[1] ?? '1');
      return ok(
        Buffer.from(this.errorLog)
          .subarray(from - 1)
          .toString(),
      );
    }
    if (words[0] === 'df') {
      return ok(
        `Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/md0 100000000 1000 ${this.freeKb} 1% ${path ?? '/'}\n`,
      );
    }
    switch (words[1]) {
      case 'running':
        if (this.running && this.stopping && !this.faults.hang) {
          this.exitAfterPolls -= 1;
          if (this.exitAfterPolls <= 0) this.exit();
        }
        return this.running ? ok('running') : fail('not running');
      case 'stop':
        if (this.faults.stopFails) return fail('stop: permission denied');
        if (this.running) {
          this.stopping = true;
          this.maxDirtyPagesPctAtStop = this.maxDirtyPagesPct;
        }
        return ok('shutdown initiated');
      case 'start':
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
        this.errorLog += 'mariadbd: ready for connections\n';
        return ok('started');
      case 'installed-version':
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
      case 'post-upgrade':
        return this.faults.postUpgradeFails ? fail('mariadb-upgrade failed') : ok('done');
      default:
        return fail(`unknown command: ${line}`, 127);
    }
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
      return [{ version: `${version}-MariaDB-log` }];
    }
    if (/@@GLOBAL\.datadir/.test(sql)) return [{ value: '/var/lib/mysql/' }];
    if (/@@GLOBAL\.log_error/.test(sql)) return [{ value: './host.err' }];
    if (/@@GLOBAL\.innodb_max_dirty_pages_pct/.test(sql)) return [{ value: String(this.maxDirtyPagesPct) }];
    const io = /@@GLOBAL\.(innodb_io_capacity(?:_max)?)\b/.exec(sql);
    if (io) return [{ value: String(this.ioCapacity[io[1] as keyof FakeDbServer['ioCapacity']]) }];
    const set = /SET GLOBAL (\w+) = (\d+)/.exec(sql);
    if (set) {
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
    if (sql === 'SELECT 1') return [{ 1: 1 }];
    throw new Error(`fake SQL does not know: ${sql}`);
  }
}

class FakeShell implements RemoteShell {
  constructor(private readonly host: FakeDbServer) {}

  async exec(command: string, _options: ExecOptions): Promise<CommandResult> {
    this.host.crash.tick();
    return this.host.exec(command);
  }

  async close(): Promise<void> {}
}

class FakeSql implements SqlSession {
  constructor(private readonly host: FakeDbServer) {}

  async query(sql: string): Promise<readonly SqlRow[]> {
    this.host.crash.tick();
    return this.host.query(sql);
  }

  async close(): Promise<void> {}
}

/** A 503 window per server, with a count of opens and closes. */
export class FakeWindow implements MaintenanceWindow {
  readonly open_ = new Map<string, boolean>();
  opens = 0;
  closes = 0;
  failOpen = false;
  /** The order windows were opened and closed in, across servers. */
  readonly log: string[] = [];

  constructor(private readonly crash: CrashSwitch) {}

  async open(server: ResolvedServer): Promise<void> {
    this.crash.tick();
    if (this.failOpen) throw new Error('load balancer refused');
    this.opens += 1;
    this.open_.set(server.name, true);
    this.log.push(`open ${server.name}`);
  }

  async close(server: ResolvedServer): Promise<void> {
    this.crash.tick();
    this.closes += 1;
    this.open_.set(server.name, false);
    this.log.push(`close ${server.name}`);
  }

  async isOpen(server: ResolvedServer): Promise<boolean | undefined> {
    this.crash.tick();
    return this.open_.get(server.name) ?? false;
  }

  isOpenNow(name: string): boolean {
    return this.open_.get(name) ?? false;
  }
}

/** A fleet of fake servers and the connectors that reach them. */
export class FakeFleet {
  readonly crash = new CrashSwitch();
  readonly hosts = new Map<string, FakeDbServer>();
  readonly window = new FakeWindow(this.crash);

  host(name: string): FakeDbServer {
    let host = this.hosts.get(name);
    if (!host) {
      host = new FakeDbServer(name, this.crash);
      this.hosts.set(name, host);
    }
    return host;
  }

  readonly connectors: ServerConnectors = {
    shell: async (server) => {
      this.crash.tick();
      const host = this.host(server.name);
      if (host.faults.sshDown) throw new TransportError(server.host, 'connect ECONNREFUSED');
      return new FakeShell(host);
    },
    sql: async (server) => {
      this.crash.tick();
      const host = this.host(server.name);
      if (!host.answersSql) throw new TransportError(server.host, 'connect ECONNREFUSED');
      return new FakeSql(host);
    },
  };
}

export function fakeServer(name: string, overrides: Partial<ResolvedServer> = {}): ResolvedServer {
  return {
    name,
    class: 'ix-6',
    host: `10.0.0.${name.length}`,
    port: 3306,
    sshPort: 22,
    transport: 'ssh',
    datacenter: 'phx',
    errorLog: `/var/log/mysql/${name}.err`,
    dataDir: '/var/lib/mysql',
    vars: {},
    ...overrides,
  };
}
