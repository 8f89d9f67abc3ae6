import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HaproxyInstancesMaintenance } from '../../../src/adapters/maintenance/haproxy-instances-maintenance.js';
import { HaproxyMaintenance } from '../../../src/adapters/maintenance/haproxy-maintenance.js';
import {
  HaproxyRuntimeApi,
  parseRuntimeApiAddress,
  splitAnswers,
} from '../../../src/adapters/maintenance/haproxy-runtime-api.js';
import { parseServersState } from '../../../src/adapters/maintenance/haproxy-servers-state.js';
import { parseStatSessions } from '../../../src/adapters/maintenance/haproxy-stat.js';
import { maintenanceWindowFor } from './maintenance-fixtures.js';
import { campaign, serverNamed } from './server-fixtures.js';

/** Captured from HAProxy 2.6 (`show servers state shard-1` after `set server shard-1/db1 state maint`). */
const HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ' +
  'srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state ' +
  'srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl ' +
  'srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

function stateAnswer(rows: readonly { backend: string; server: string; admin: number }[]): string {
  const lines = rows.map(
    (row, index) =>
      `3 ${row.backend} ${index + 1} ${row.server} 127.0.0.1 2 ${row.admin} 1 1 0 1 0 0 0 0 0 0 - 18998 - 0 0 - - 0`,
  );
  return `1\n${HEADER}\n${lines.join('\n')}\n\n`;
}

describe('parseServersState', () => {
  it('reads backend, server and the maintenance bits of srv_admin_state by column name', () => {
    const rows = parseServersState(
      stateAnswer([
        { backend: 'shard-1', server: 'db1', admin: 1 },
        { backend: 'shard-1', server: 'db2', admin: 0 },
        { backend: 'shard-1', server: 'db3', admin: 2 },
        { backend: 'shard-1', server: 'db4', admin: 8 },
      ]),
    );
    expect(rows.map((row) => [row.server, row.forcedMaintenance, row.inMaintenance])).toEqual([
      ['db1', true, true],
      ['db2', false, false],
      ['db3', false, true],
      ['db4', false, false],
    ]);
    expect(rows[0]).toMatchObject({ backend: 'shard-1', adminState: 1, operationalState: 2 });
  });

  it('finds no rows in an error answer', () => {
    expect(parseServersState("Can't find backend.\n\n")).toEqual([]);
  });

  it('follows the header when a HAProxy version orders or adds columns differently', () => {
    const text = '1\n# srv_name be_name srv_admin_state srv_op_state extra\ndb9 shard-9 1 0 x\n';
    expect(parseServersState(text)[0]).toMatchObject({
      backend: 'shard-9',
      server: 'db9',
      forcedMaintenance: true,
    });
  });
});

describe('splitAnswers', () => {
  it('parts the answers HAProxy 2.6 gave to `set ...; show servers state ...; set ...` on one line', () => {
    const state = stateAnswer([{ backend: 'shard-1', server: 'db1', admin: 0 }]);
    expect(splitAnswers(`\n${state}No such server.\n\n`, 3)).toEqual([
      '',
      state.slice(0, -1),
      'No such server.\n',
    ]);
  });

  it('refuses an answer with fewer or more answers than commands', () => {
    expect(splitAnswers('\n\n', 1)).toBeUndefined();
    expect(splitAnswers('\n', 2)).toBeUndefined();
    expect(splitAnswers('cut short', 1)).toBeUndefined();
  });
});

describe('parseRuntimeApiAddress', () => {
  it('reads tcp://host:port and takes anything else for a unix socket path', () => {
    expect(parseRuntimeApiAddress('tcp://127.0.0.1:9999')).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 9999,
    });
    expect(parseRuntimeApiAddress('/run/haproxy/admin.sock')).toEqual({
      kind: 'unix',
      path: '/run/haproxy/admin.sock',
    });
    expect(parseRuntimeApiAddress('tcp://nohost')).toBeUndefined();
  });
});

/**
 * A stand-in for HAProxy's runtime API on a unix socket: one line per connection, like the real
 * one, its commands separated by `; ` and answered in order.
 */
class FakeRuntimeApi {
  readonly commands: string[] = [];
  /** The lines received, one per connection. */
  readonly lines: string[] = [];
  readonly admin = new Map<string, number>([['shard-1/db-01', 0]]);
  /** `scur` per server, as `show stat` reports it. */
  readonly sessions = new Map<string, number>([['shard-1/db-01', 0]]);
  /** When set, `set server` answers ok but changes nothing (a HAProxy that ignored us). */
  ignoreSets = false;
  private readonly server: Server;

  constructor(readonly path: string) {
    this.server = createServer((socket) => {
      let input = '';
      socket.on('data', (chunk) => {
        input += chunk.toString();
        if (!input.endsWith('\n')) return;
        const line = input.trim();
        this.lines.push(line);
        const commands = line.split('; ');
        this.commands.push(...commands);
        socket.end(commands.map((command) => this.answer(command)).join(''));
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.path, resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(command: string): string {
    const set = /^set server (\S+)\/(\S+) state (maint|ready|drain)$/.exec(command);
    if (set) {
      const key = `${set[1]}/${set[2]}`;
      if (!this.admin.has(key)) return 'No such server.\n\n';
      // As HAProxy does: maint clears drain, drain clears maint, ready clears both.
      if (!this.ignoreSets) this.admin.set(key, { maint: 1, drain: 8, ready: 0 }[set[3] as 'maint']);
      return '\n';
    }
    const stat = /^show stat (\S+) 4 -1$/.exec(command);
    if (stat) {
      const rows = [...this.sessions]
        .filter(([key]) => key.startsWith(`${stat[1]}/`))
        .map(([key, scur]) => `${key.replace('/', ',')},0,0,${scur},1,,7,`);
      return `# pxname,svname,qcur,qmax,scur,smax,slim,stot,\n${rows.join('\n')}\n\n`;
    }
    const show = /^show servers state (\S+)$/.exec(command);
    if (show) {
      const rows = [...this.admin]
        .filter(([key]) => key.startsWith(`${show[1]}/`))
        .map(([key, admin]) => ({
          backend: key.split('/')[0] ?? '',
          server: key.split('/')[1] ?? '',
          admin,
        }));
      return rows.length === 0 ? "Can't find backend.\n\n" : stateAnswer(rows);
    }
    return 'Unknown command.\n\n';
  }
}

/** The window on one stand-in HAProxy, backend `{{shard}}` and server `{{name}}`. */
function haproxyOn(api: FakeRuntimeApi): HaproxyMaintenance {
  return new HaproxyMaintenance({
    api: new HaproxyRuntimeApi({ kind: 'unix', path: api.path }),
    campaign,
    campaignFile: 'waves/c.yaml',
    backend: '{{shard}}',
    server: '{{name}}',
  });
}

describe('HaproxyMaintenance', () => {
  let folder: string;
  let api: FakeRuntimeApi;
  let window: HaproxyMaintenance;
  const db01 = serverNamed('db-01', { shard: 'shard-1' });

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dbwave-haproxy-'));
    api = new FakeRuntimeApi(join(folder, 'admin.sock'));
    await api.listen();
    window = haproxyOn(api);
  });

  afterEach(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens the window by forcing maintenance, then verifies it with show servers state', async () => {
    await window.open(db01);
    expect(api.commands).toEqual(['set server shard-1/db-01 state maint', 'show servers state shard-1']);
    expect(await window.isOpen(db01)).toBe(true);
  });

  it('closes the window with state ready and sees it closed', async () => {
    await window.open(db01);
    await window.close(db01);
    expect(api.commands).toContain('set server shard-1/db-01 state ready');
    expect(await window.isOpen(db01)).toBe(false);
  });

  it('is idempotent: closing a closed window is fine', async () => {
    await window.close(db01);
    await window.close(db01);
    expect(await window.isOpen(db01)).toBe(false);
  });

  it('fails when HAProxy accepted the command but the state did not change', async () => {
    api.ignoreSets = true;
    await expect(window.open(db01)).rejects.toThrow(/asked for state maint.*srv_admin_state 0/);
  });

  it("fails with HAProxy's own words for a server it does not have", async () => {
    const stranger = serverNamed('db-99', { shard: 'shard-1' });
    await expect(window.open(stranger)).rejects.toThrow(/No such server/);
    await expect(window.isOpen(serverNamed('db-01', { shard: 'shard-7' }))).rejects.toThrow(
      /has no server shard-7\/db-01/,
    );
  });

  it('refuses a rendered name that could chain a second runtime API command', async () => {
    const hostile = serverNamed('db-01', { shard: 'shard-1', vars: { backend: 'x;shutdown sessions' } });
    const strict = new HaproxyMaintenance({
      api: new HaproxyRuntimeApi({ kind: 'unix', path: api.path }),
      campaign,
      campaignFile: 'waves/c.yaml',
      backend: '{{vars.backend}}',
      server: '{{name}}',
    });
    await expect(strict.open(hostile)).rejects.toThrow(/maintenance\.backend.*not a HAProxy name/);
    expect(api.commands).toEqual([]);
  });

  it('is what the factory builds for adapter: haproxy, with the socket relative to the campaign file', async () => {
    const built = maintenanceWindowFor(
      { adapter: 'haproxy', socket: 'admin.sock', backend: '{{shard}}', server: '{{name}}' },
      join(folder, 'campaign.yaml'),
    );
    await built.open(db01);
    expect(await built.isOpen(db01)).toBe(true);
  });
});

describe('parseStatSessions', () => {
  it("reads each server's scur by column name and skips the frontend and backend lines", () => {
    const text = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,status',
      'users,FRONTEND,,,3,9,4096,12,OPEN',
      'shard-1,db1,0,0,2,5,,7,DRAIN',
      'shard-1,BACKEND,0,0,2,5,,7,UP',
      '',
    ].join('\n');
    expect(parseStatSessions(text)).toEqual([{ backend: 'shard-1', server: 'db1', sessions: 2 }]);
    expect(parseStatSessions("Can't find proxy.\n")).toEqual([]);
  });
});

describe('HaproxyInstancesMaintenance (an HA pair)', () => {
  let folder: string;
  let apis: FakeRuntimeApi[];
  let pair: HaproxyInstancesMaintenance;
  const db01 = serverNamed('db-01', { shard: 'shard-1' });

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dbwave-haproxy-pair-'));
    apis = [new FakeRuntimeApi(join(folder, 'dc1.sock')), new FakeRuntimeApi(join(folder, 'dc2.sock'))];
    for (const api of apis) await api.listen();
    pair = new HaproxyInstancesMaintenance({ instances: apis.map(haproxyOn), drainTimeoutMs: 30_000 });
  });

  afterEach(async () => {
    for (const api of apis) await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens and closes the window on every instance, each verified', async () => {
    await pair.open(db01);
    for (const api of apis) {
      expect(api.commands).toEqual(['set server shard-1/db-01 state maint', 'show servers state shard-1']);
    }
    expect(await pair.isOpen(db01)).toBe(true);
    await pair.close(db01);
    expect(apis.map((api) => api.admin.get('shard-1/db-01'))).toEqual([0, 0]);
    expect(await pair.isOpen(db01)).toBe(false);
  });

  it('drains on every instance and sums the sessions HAProxy counts on each', async () => {
    const drain = pair.drain;
    if (drain === undefined) throw new Error('no drain');
    expect(drain.timeoutMs).toBe(30_000);
    apis[0]?.sessions.set('shard-1/db-01', 2);
    apis[1]?.sessions.set('shard-1/db-01', 1);
    expect(await drain.begin(db01)).toBe(3);
    expect(apis.map((api) => api.admin.get('shard-1/db-01'))).toEqual([8, 8]);
    expect(await drain.sessions(db01)).toBe(3);
    // Draining is neither open nor closed: both probes run their step again.
    expect(await pair.isOpen(db01)).toBeUndefined();
    await pair.open(db01);
    expect(apis.map((api) => api.admin.get('shard-1/db-01'))).toEqual([1, 1]);
  });

  it('drains, verifies and counts on one connection per instance, and opens on one more', async () => {
    const drain = pair.drain;
    if (drain === undefined) throw new Error('no drain');
    expect(await drain.begin(db01)).toBe(0);
    await pair.open(db01);
    for (const api of apis) {
      expect(api.lines).toEqual([
        'set server shard-1/db-01 state drain; show servers state shard-1; show stat shard-1 4 -1',
        'set server shard-1/db-01 state maint; show servers state shard-1',
      ]);
    }
  });

  it('has no drain with a drain timeout of 0', () => {
    expect(
      new HaproxyInstancesMaintenance({ instances: apis.map(haproxyOn), drainTimeoutMs: 0 }).drain,
    ).toBeUndefined();
  });

  it('counts a window open on one instance only as neither open nor closed', async () => {
    apis[0]?.admin.set('shard-1/db-01', 1);
    expect(await pair.isOpen(db01)).toBeUndefined();
  });

  it('closes every instance it can reach and names the one it could not', async () => {
    await pair.open(db01);
    await apis[1]?.close();
    await expect(pair.close(db01)).rejects.toThrow(
      /could not close on 1 of 2 HAProxy instances \(1 done\): .*dc2\.sock/,
    );
    expect(apis[0]?.admin.get('shard-1/db-01')).toBe(0);
    await expect(pair.precheck(db01)).rejects.toThrow(
      /could not check on 1 of 2 HAProxy instances.*dc2\.sock/,
    );
    // Listening again, so that afterEach can close it.
    if (apis[1]) {
      apis[1] = new FakeRuntimeApi(apis[1].path);
      await apis[1].listen();
    }
  });

  it('is what the factory builds for sockets, each relative to the campaign file', async () => {
    const built = maintenanceWindowFor(
      { adapter: 'haproxy', sockets: ['dc1.sock', 'dc2.sock'], backend: '{{shard}}', server: '{{name}}' },
      join(folder, 'campaign.yaml'),
    );
    await built.open(db01);
    expect(apis.map((api) => api.admin.get('shard-1/db-01'))).toEqual([1, 1]);
    expect(built.drain?.timeoutMs).toBe(30_000);
  });
});
