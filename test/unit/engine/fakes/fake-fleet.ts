import { TransportError } from '../../../../src/core/errors.js';
import type { ServerConnectors } from '../../../../src/engine/ports/server-connectors.js';
import type { SqlRow, SqlSession } from '../../../../src/engine/ports/sql-session.js';
import type { CommandTemplates } from '../../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';
import { CrashSwitch } from './crash-switch.js';
import { FakeDbServer } from './fake-db-server.js';
import { FakeHostCommands } from './fake-host-commands.js';
import { FakeWindow } from './fake-window.js';

class FakeSql implements SqlSession {
  constructor(private readonly host: FakeDbServer) {}

  async query(sql: string): Promise<readonly SqlRow[]> {
    this.host.crash.tick();
    return this.host.query(sql);
  }

  async close(): Promise<void> {}
}

/**
 * A fleet of fake servers and the connectors that reach them: host commands at the engine's
 * port (no shell), SQL through a session, one 503 window per server, one crash switch for all.
 */
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

  hostCommands(server: ResolvedServer, templates: CommandTemplates): FakeHostCommands {
    return new FakeHostCommands(this.host(server.name), server, templates);
  }

  readonly connectors: ServerConnectors = {
    shell: async (server) => {
      // Only the gates' probes ask for a raw shell; the fakes' hooks are stubs that never do.
      throw new Error(`${server.name}: the fake fleet runs no shell lines, only host commands`);
    },
    sql: async (server) => {
      this.crash.tick();
      const host = this.host(server.name);
      if (!host.answersSql) throw new TransportError(server.host, 'connect ECONNREFUSED');
      return new FakeSql(host);
    },
    hostCommands: (server, templates) => this.hostCommands(server, templates),
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
