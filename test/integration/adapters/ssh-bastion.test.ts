import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connectSsh } from '../../../src/adapters/ssh/ssh-shell.js';
import { campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { TransportError } from '../../../src/core/errors.js';
import { type Campaign, campaignFields } from '../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { engineCampaign, journalOf, resetFleet, startDbwave } from '../engine/engine-fleet.js';
import { queryOne } from '../fleet/fleet-fixture.js';
import { fleetCampaign, fleetServer, fleetSshConfig, loadFleet, resolvedServer } from './adapter-fixture.js';

/**
 * SSH as production runs it, on the fleet's machine: the fleet's db2, seen through an sshd that
 * lives in a network namespace of its own (so no process outside it can reach it: the test checks
 * that a direct connection fails), reached through a real bastion, an sshd that accepts its
 * connections here (inetd style) but runs inside that namespace, and through a chain of two
 * bastions. dbwave logs in with a real ssh-agent (the key file deleted once added) or with an
 * encrypted key and its passphrase file, finds its way with an ssh_config written here (never
 * ~/.ssh), and checks every hop's host key.
 *
 * The addresses are in the fleet's own net (DBWAVE_FLEET_NET, default 127.0.1), above its hosts.
 */

const fleet = loadFleet();
const db2 = fleetServer(fleet, 1);
const net = db2.host.split('.').slice(0, 3).join('.');
const HIDDEN = `${net}.201`;
const BASTION = `${net}.200`;
const GATE = `${net}.202`;
const PASSPHRASE = 'bastion passphrase 0451';

/**
 * The hidden sshd is db2's SSH face; db2's processes live on the machine's network (a mariadbd it
 * starts must answer MySQL and HAProxy there), so its sessions run in this process's namespace.
 * Each session is marked, so a test can tell it ran there.
 */
const HIDDEN_SESSIONS = [
  'SetEnv DBWAVE_TEST_VIA=hidden-sshd',
  `ForceCommand /usr/bin/nsenter --net=/proc/${process.pid}/ns/net /bin/sh -c "$SSH_ORIGINAL_COMMAND"`,
];

let folder: string;
let hidden: ChildProcess | undefined;
let gate: ChildProcess | undefined;
let agent: ChildProcess | undefined;
let bastion: Server | undefined;
let bastionPort: number;
let gatePort: number;
let agentSocket: string;
const bastionSessions = new Set<ChildProcess>();
const hostKeys = new Map<string, string>();

function keyPair(name: string, passphrase = ''): string {
  const file = join(folder, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  const [type, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return `${type} ${base64}`;
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, address, () => {
      const found = probe.address();
      probe.close(() => resolve(typeof found === 'object' && found !== null ? found.port : 0));
    });
  });
}

function sshdConfig(
  name: string,
  listen: string | undefined,
  forwarding: boolean,
  extra: readonly string[] = [],
): string {
  const file = join(folder, `${name}_sshd_config`);
  writeFileSync(
    file,
    [
      ...(listen === undefined ? [] : [`ListenAddress ${listen}`]),
      `HostKey ${join(folder, `${name}_host`)}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(folder, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowTcpForwarding ${forwarding ? 'yes' : 'no'}`,
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}

/** What each foreground sshd logged (-e), by its name. */
const sshdLogs = new Map<string, string>();

/** Spawns a foreground sshd (through `prefix`, e.g. unshare) and waits until it listens. */
function startSshd(prefix: readonly string[], configFile: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const [command = '', ...args] = prefix;
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      sshdLogs.set(configFile, (sshdLogs.get(configFile) ?? '') + chunk.toString());
    });
    const timer = setTimeout(() => reject(new Error(`sshd ${configFile} did not start:\n${log}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd ${configFile} exited ${code}:\n${log}`));
    });
  });
}

/** ssh-agent in the foreground on a socket of its own; resolves once the socket exists. */
async function startAgent(socket: string): Promise<ChildProcess> {
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) throw new Error('ssh-agent did not create its socket');
  return child;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dbwave-ssh-bastion-'));
  for (const name of ['hidden', 'bastion', 'gate']) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(folder, `${name}_host`)]);
    hostKeys.set(
      name,
      readFileSync(join(folder, `${name}_host.pub`), 'utf8')
        .trim()
        .split(/\s+/)
        .slice(0, 2)
        .join(' '),
    );
  }
  const agentKey = keyPair('agent_key');
  const encryptedKey = keyPair('encrypted_key', PASSPHRASE);
  writeFileSync(join(folder, 'authorized_keys'), `${agentKey}\n${encryptedKey}\n`, { mode: 0o600 });
  writeFileSync(join(folder, 'passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });

  // The hidden host: its own network namespace, where only its own loopback exists.
  hidden = await startSshd(
    [
      'unshare',
      '--net',
      '--',
      '/bin/sh',
      '-c',
      `ip link set lo up && exec /usr/sbin/sshd -D -e -f ${sshdConfig('hidden', `${HIDDEN}:22`, false, HIDDEN_SESSIONS)}`,
    ],
    'hidden',
  );
  // The bastion: accepts here, runs each session inside the hidden host's namespace (sshd -i).
  const bastionConfig = sshdConfig('bastion', undefined, true);
  bastionPort = await freePort(BASTION);
  bastion = createServer((socket) => {
    const session = spawn(
      'nsenter',
      [`--net=/proc/${hidden?.pid}/ns/net`, '/usr/sbin/sshd', '-i', '-e', '-f', bastionConfig],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    bastionSessions.add(session);
    session.once('exit', () => bastionSessions.delete(session));
    socket.on('error', () => session.kill());
    session.stdout?.pipe(socket);
    if (session.stdin) socket.pipe(session.stdin);
    session.stdin?.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => bastion?.listen(bastionPort, BASTION, resolve));
  // The first hop of the chain: a plain sshd here that forwards.
  gatePort = await freePort(GATE);
  gate = await startSshd(
    ['/usr/sbin/sshd', '-D', '-e', '-f', sshdConfig('gate', `${GATE}:${gatePort}`, true)],
    'gate',
  );

  agentSocket = join(folder, 'agent.sock');
  agent = await startAgent(agentSocket);
  execFileSync('ssh-add', ['-q', join(folder, 'agent_key')], {
    env: { SSH_AUTH_SOCK: agentSocket },
    stdio: 'ignore',
  });
  // From here on only the agent holds this key.
  unlinkSync(join(folder, 'agent_key'));

  writeFileSync(
    join(folder, 'known_hosts'),
    [
      `${HIDDEN} ${hostKeys.get('hidden')}`,
      `[${BASTION}]:${bastionPort} ${hostKeys.get('bastion')}`,
      `[${GATE}]:${gatePort} ${hostKeys.get('gate')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(folder, 'ssh_config'),
    [
      '# What a DBA has in ~/.ssh/config: the database hosts behind the bastion.',
      'Host db2-hidden db2-*.hidden !db2-test.hidden',
      `  HostName ${HIDDEN}`,
      '  User root',
      '  ProxyJump bastion',
      'Host bastion',
      `  HostName ${BASTION}`,
      `  Port ${bastionPort}`,
      '  User root',
      'Host gate',
      `  HostName ${GATE}`,
      '  User root',
      'Host *',
      '  UserKnownHostsFile ~/known_hosts',
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  for (const session of bastionSessions) session.kill('SIGTERM');
  await new Promise<void>((resolve) => (bastion === undefined ? resolve() : bastion.close(() => resolve())));
  hidden?.kill('SIGTERM');
  gate?.kill('SIGTERM');
  agent?.kill('SIGTERM');
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

/** db2 as a class file would name it: by the alias the DBA's ssh_config knows. */
function hiddenDb2(alias = 'db2-hidden'): ResolvedServer {
  return { ...resolvedServer(db2), host: alias, sshPort: 22 };
}

function campaignWith(ssh: Record<string, unknown>): Campaign {
  // Only SSH matters here; the fleet's MySQL and HAProxy files are beside its own campaign.
  return {
    ...fleetCampaign(fleet),
    mysql: undefined,
    maintenance: { adapter: 'none' },
    ssh: campaignFields.shape.ssh.parse({ config: 'ssh_config', ...ssh }),
  };
}

/** What `dbwave run` builds from the campaign, with dbwave's environment given explicitly. */
async function runOnHidden(
  ssh: Record<string, unknown>,
  command: string,
  env: Record<string, string> = {},
  alias?: string,
): Promise<string> {
  const adapters = await campaignAdapters({
    campaign: campaignWith(ssh),
    campaignFile: join(folder, 'campaign.yaml'),
    env: { HOME: folder, PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  try {
    const shell = await adapters.connectors.shell(hiddenDb2(alias));
    const result = await shell.exec(command, { timeoutMs: 30_000 });
    expect(result.exitCode).toBe(0);
    return result.stdout.trim();
  } finally {
    await adapters.close();
  }
}

const ownNetNamespace = readlinkSync('/proc/self/ns/net');

describe('a fleet host only reachable through a bastion', () => {
  it('cannot be reached directly: nothing outside its namespace answers at its address', async () => {
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(22, HIDDEN);
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    // And dbwave, told not to jump, fails the same way, with the host it tried.
    await expect(
      runOnHidden({ agent: true, proxyJump: 'none' }, 'true', { SSH_AUTH_SOCK: agentSocket }),
    ).rejects.toThrow(`ssh to ${HIDDEN}:22 failed`);
  });

  it('runs db2’s commands through the bastion ssh_config names, logging in with ssh-agent’s key alone', async () => {
    const out = await runOnHidden(
      { agent: true },
      `echo "$DBWAVE_TEST_VIA"; ${db2.fleetctl} installed-version`,
      { SSH_AUTH_SOCK: agentSocket },
    );
    const [via, version] = out.split('\n');
    expect(via).toBe('hidden-sshd');
    expect(readlinkSync(`/proc/${hidden?.pid}/ns/net`)).not.toBe(ownNetNamespace);
    expect(version).toBe(await installedVersionOverTheFleet());
  });

  it('takes a Host line of several patterns, and honours its negated one', async () => {
    expect(
      await runOnHidden({ agent: true }, 'echo reached', { SSH_AUTH_SOCK: agentSocket }, 'db2-a.hidden'),
    ).toBe('reached');
    // db2-test.hidden is ruled out, so it is dialled by its own name, which resolves nowhere.
    await expect(
      runOnHidden(
        { agent: true, connectTimeout: '3s' },
        'true',
        { SSH_AUTH_SOCK: agentSocket },
        'db2-test.hidden',
      ),
    ).rejects.toThrow(/ssh to db2-test\.hidden:22 failed/);
  });

  it('logs in with an encrypted key and its passphrase file, through a chain of two bastions', async () => {
    const out = await runOnHidden(
      {
        identity: 'encrypted_key',
        passphraseFile: 'passphrase',
        agent: false,
        proxyJump: `root@gate:${gatePort},bastion`,
      },
      'echo "$DBWAVE_TEST_VIA"',
    );
    expect(out).toBe('hidden-sshd');
  });

  it('refuses a bastion whose host key is not the one known_hosts lists, before going further', async () => {
    const impostor = join(folder, 'known_hosts_impostor');
    writeFileSync(
      impostor,
      [`${HIDDEN} ${hostKeys.get('hidden')}`, `[${BASTION}]:${bastionPort} ${hostKeys.get('gate')}`, ''].join(
        '\n',
      ),
    );
    let caught: unknown;
    try {
      await runOnHidden({ agent: true, knownHosts: 'known_hosts_impostor' }, 'true', {
        SSH_AUTH_SOCK: agentSocket,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TransportError);
    expect((caught as TransportError).retryable).toBe(false);
    expect((caught as TransportError).message).toContain(
      `the ssh-ed25519 key [${BASTION}]:${bastionPort} offered does not match the key ${impostor} lists for it`,
    );
  });

  it('refuses the hidden host itself when known_hosts does not list it, even reached through a trusted bastion', async () => {
    const withoutHidden = join(folder, 'known_hosts_without_hidden');
    writeFileSync(withoutHidden, `[${BASTION}]:${bastionPort} ${hostKeys.get('bastion')}\n`);
    await expect(
      runOnHidden({ agent: true, knownHosts: 'known_hosts_without_hidden' }, 'true', {
        SSH_AUTH_SOCK: agentSocket,
      }),
    ).rejects.toThrow(`host key refused: ${HIDDEN} is not in ${withoutHidden}`);
  });

  it('says an encrypted key needs its passphrase or the agent, without either', async () => {
    await expect(runOnHidden({ identity: 'encrypted_key', agent: false }, 'true')).rejects.toThrow(
      `the private key ${join(folder, 'encrypted_key')} is encrypted: set ssh.passphraseFile`,
    );
  });
});

describe('dbwave run through the bastion', () => {
  afterAll(() => resetFleet(fleet));

  it('upgrades the whole fleet, db2 reached only through the bastion its ssh_config names', async () => {
    await resetFleet(fleet);
    // The DBA's ssh_config: db2, named by its address in the class file (MySQL and HAProxy reach
    // it there), is reached over SSH at the hidden host through the bastion; the other hosts
    // directly. Logging in with the encrypted key and its passphrase file, the fleet's own key
    // for the hosts that only know it (IdentityFile).
    const config = join(folder, 'run_ssh_config');
    writeFileSync(
      config,
      [
        `Host ${db2.host}`,
        `  HostName ${HIDDEN}`,
        '  ProxyJump bastion',
        'Host bastion',
        `  HostName ${BASTION}`,
        `  Port ${bastionPort}`,
        'Host *',
        '  User root',
        `  IdentityFile ${fleet.ssh.identity}`,
        '',
      ].join('\n'),
    );
    const knownHosts = join(folder, 'run_known_hosts');
    writeFileSync(
      knownHosts,
      readFileSync(join(folder, 'known_hosts'), 'utf8') + readFileSync(fleet.ssh.knownHosts, 'utf8'),
    );
    const firstDay = (parse(readFileSync(fleet.campaign, 'utf8')) as { waves: { date: string }[] }).waves[0]
      ?.date;
    const campaign = await engineCampaign('bastion', {
      waves: [{ date: firstDay, size: 'rest' }],
      ssh: {
        identity: join(folder, 'encrypted_key'),
        passphraseFile: join(folder, 'passphrase'),
        agent: false,
        config,
        knownHosts,
      },
    });
    const acceptedBefore = acceptedOnHidden();
    const result = await startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date'])
      .done;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const { replay } = await journalOf(campaign);
    for (const target of fleet.servers) {
      const version = await queryOne(fleet, target, 'SELECT VERSION() AS v');
      expect(String(version.v).startsWith(fleet.versions.to)).toBe(true);
      expect(replay.servers.get(target.name)).toMatchObject({ outcome: 'Upgraded', window: 'closed' });
    }
    // db2's commands ran on the hidden host: its sshd logged the logins.
    expect(acceptedOnHidden()).toBeGreaterThan(acceptedBefore);
    expect(result.stdout + result.stderr).not.toContain(PASSPHRASE);
  });
});

function acceptedOnHidden(): number {
  const log = sshdLogs.get('hidden') ?? '';
  return log.split('\n').filter((line) => line.includes('Accepted publickey for root')).length;
}

/** db2's installed version asked over the fleet's own SSH, as every other test does. */
async function installedVersionOverTheFleet(): Promise<string> {
  const shell = await connectSsh(resolvedServer(db2), fleetSshConfig(fleet));
  try {
    return (await shell.exec(`${db2.fleetctl} installed-version`, { timeoutMs: 30_000 })).stdout.trim();
  } finally {
    await shell.close();
  }
}
