import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runShell } from './support/campaign-commands.js';
import {
  runDbwave,
  runDbwaveExpecting,
  serverReport,
  type WrittenCampaign,
  waveReport,
  writeCampaign,
} from './support/dbwave-cli.js';
import { describeWithDocker } from './support/describe-with-docker.js';
import {
  installedPackageVersion,
  onHost,
  type PackageHost,
  removePackageHost,
  startPackageHost,
  writeKnownHosts,
} from './support/package-host.js';
import { type RowDigest, rowDigest, seedRows, serverVersion } from './support/table-rows.js';

/**
 * examples/containers/package-hosts/: a Debian host with the full mariadb-server package,
 * upgraded by dbwave over SSH (host key checked) with the campaign's apt-get commands, the
 * download done by `prepare` before the window.
 */

const EXAMPLE = join('package-hosts', 'campaign.yaml');
const CLASS_FILE = join('package-hosts', 'hardware-classes', 'apt-mariadb.yaml');
/** A line the DBA added to a conffile of the package, which the upgrade must keep (confold). */
const DBA_EDIT = '# tuned by the DBA: kept across upgrades';
const PACKAGE_CONFFILE = '/etc/mysql/mariadb.conf.d/50-server.cnf';

/** What one command printed, as dbwave kept it in the state dir (output/<server>/NNN-<step>-<command>.log). */
async function commandOutput(
  stateDir: string,
  server: string,
  step: string,
  command: string,
): Promise<string> {
  const directory = join(stateDir, 'output', server);
  const name = (await readdir(directory)).find((file) => file.endsWith(`-${step}-${command}.log`));
  if (name === undefined) throw new Error(`no ${step} ${command} output in ${directory}`);
  return readFile(join(directory, name), 'utf8');
}

function upstream(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

describeWithDocker('dbwave upgrading a package-manager host over SSH', (environment) => {
  const { image, from, to } = environment.packageHost;
  const password = randomBytes(12).toString('hex');
  let directory = '';
  let host: PackageHost | undefined;
  let files: WrittenCampaign;
  let rowsBefore: RowDigest;
  const only = (): PackageHost => {
    if (!host) throw new Error('no package host yet: read it after beforeAll');
    return host;
  };

  /** The example campaign for the one host, under `campaignDirectory`, with `changes` to its top-level keys. */
  function writeHostCampaign(
    campaignDirectory: string,
    changes: Readonly<Record<string, unknown>> = {},
  ): Promise<WrittenCampaign> {
    return writeCampaign(campaignDirectory, {
      campaign: EXAMPLE,
      hardwareClass: CLASS_FILE,
      servers: [
        {
          name: only().name,
          host: '127.0.0.1',
          port: only().port,
          sshPort: only().sshPort,
          shard: `shard-${only().name}`,
          dataDir: '/var/lib/mysql',
          errorLog: '/var/log/mysql/error.log',
        },
      ],
      versions: {
        from: { version: upstream(from), package: from },
        to: { version: upstream(to), package: to },
      },
      changes: {
        ssh: { user: 'dbwave', identity: only().identityFile, knownHosts: join(directory, 'known_hosts') },
        ...changes,
      },
    });
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dbwave-containers-apt-'));
    host = await startPackageHost({
      name: `dbw-apt-${process.pid}`,
      image,
      directory: join(directory, 'keys'),
      password,
    });
    await seedRows(only(), 5_000);
    rowsBefore = await rowDigest(only());
    await onHost(only(), `echo '${DBA_EDIT}' >> ${PACKAGE_CONFFILE}`);
    files = await writeHostCampaign(directory);
    await runDbwaveExpecting(0, ['plan', files.campaignFile, '--out', files.planFile], password);
  });

  afterAll(async () => {
    await removePackageHost(host);
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('trusts its apt repository by signature only: signed-by its key, and a changed index is refused', async () => {
    const sources = await onHost(
      only(),
      'cat /etc/apt/sources.list; cat /etc/apt/sources.list.d/* 2>/dev/null || true',
    );
    expect(sources).toMatch(/^deb \[signed-by=\/usr\/share\/keyrings\/dbwave-local-apt\.gpg\] copy:/m);
    expect(sources).not.toMatch(/trusted=yes/);
    expect(await onHost(only(), 'apt-config dump')).not.toMatch(
      /(AllowUnauthenticated|AllowInsecureRepositories) "(true|1)"/i,
    );
    // The same repository with one byte of its signed index changed, read through its own lists:
    // apt refuses it (BADSIG), as it would a mirror that served a forged index.
    const tampered = await onHost(
      only(),
      [
        'rm -rf /tmp/tampered && cp -a /var/local/dbwave-apt /tmp/tampered && mkdir -p /tmp/tampered-lists/partial',
        "sed -i 's/^Date: /Date:  /' /tmp/tampered/InRelease",
        'echo "deb [signed-by=/usr/share/keyrings/dbwave-local-apt.gpg] copy:/tmp/tampered ./" >/tmp/tampered.list',
        'apt-get update -o Dir::Etc::SourceList=/tmp/tampered.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=/tmp/tampered-lists 2>&1; echo "exit=$?"',
      ].join(' && '),
    );
    expect(tampered).toMatch(/BADSIG|invalid|not signed/i);
    expect(tampered).toMatch(/exit=100/);
  });

  it('never touches a host whose SSH host key is not the pinned one', async () => {
    const stranger = join(directory, 'stranger');
    await runShell(`ssh-keygen -q -t ed25519 -N '' -f '${stranger}'`);
    const otherKey = (await readFile(`${stranger}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    await writeKnownHosts(join(directory, 'known_hosts'), [`[127.0.0.1]:${only().sshPort} ${otherKey}`]);
    const result = await runDbwave(
      ['run', files.planFile, '--wave', '1', '--yes', '--ignore-date'],
      password,
    );
    expect(result.exitCode).not.toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/host key/i);
    expect(await installedPackageVersion(only())).toBe(from);
    expect(await onHost(only(), 'pgrep -x mariadbd')).not.toBe('');
    // A new state dir for the real run: this refused run is not the upgrade's history.
    await rm(files.stateDir, { recursive: true, force: true });
  });

  it('rolls back inside the window from what prepare downloaded: nothing fetched, back on the old build', async () => {
    await writeKnownHosts(join(directory, 'known_hosts'), [only().knownHostsLine]);
    // The same host and campaign, with a readiness gate that only the old build passes: it
    // fails inside the window, before any point of no return (10.11 -> 10.11 has none).
    const failing = await writeHostCampaign(join(directory, 'rollback'), {
      gates: {
        smokeQueries: [
          { name: 'the old build', sql: `SELECT VERSION() LIKE '${upstream(from)}-%'`, expect: 1 },
        ],
      },
    });
    await runDbwaveExpecting(0, ['plan', failing.campaignFile, '--out', failing.planFile], password);
    await runDbwaveExpecting(1, ['run', failing.planFile, '--wave', '1', '--yes', '--ignore-date'], password);

    const report = serverReport(await waveReport(failing.planFile, 1, password), only().name);
    expect(report.outcome).toBe('RolledBack');
    expect(await installedPackageVersion(only())).toBe(from);
    expect(await installedPackageVersion(only(), 'mariadb-server')).toBe(from);
    expect(await serverVersion(only())).toMatch(new RegExp(`^${upstream(from).replaceAll('.', '\\.')}-`));
    expect(await rowDigest(only())).toEqual(rowsBefore);
    // prepare fetched both builds and checked both against SHA256SUMS...
    const prepareOutput = await commandOutput(failing.stateDir, only().name, 'prepare', 'prepare');
    for (const version of [to, from]) {
      expect(prepareOutput).toMatch(
        new RegExp(`Get:\\d+ copy:\\S+ \\./ mariadb-server ${version.replace('+', '\\+')} `),
      );
      expect(prepareOutput).toContain(`mariadb-server_${version.replace(':', '%3a')}_amd64.deb: OK`);
    }
    // ...so that the way back, inside the window, only unpacked: apt fetched nothing.
    const rollbackOutput = await commandOutput(failing.stateDir, only().name, 'rollback-package', 'rollback');
    expect(rollbackOutput).toMatch(/Unpacking mariadb-server /);
    expect(rollbackOutput).not.toMatch(/Get:\d+/);
    const history = await onHost(only(), 'cat /var/log/apt/history.log');
    expect(history).toMatch(/Commandline: apt-get install --yes -q --no-download --allow-downgrades/);
    // The upgrade below starts from an empty cache, as a host's first campaign does.
    await onHost(only(), 'apt-get clean');
  });

  it('upgrades the package with the pinned host key: apt-get, the init script, mariadb-upgrade', async () => {
    await writeKnownHosts(join(directory, 'known_hosts'), [only().knownHostsLine]);
    await runDbwaveExpecting(0, ['run', files.planFile, '--wave', '1', '--yes', '--ignore-date'], password);
    expect(await installedPackageVersion(only())).toBe(to);
    expect(await installedPackageVersion(only(), 'mariadb-server')).toBe(to);
    expect(await serverVersion(only())).toMatch(new RegExp(`^${upstream(to).replaceAll('.', '\\.')}-`));
    expect(await rowDigest(only())).toEqual(rowsBefore);
  });

  it('downloaded the packages in prepare, before the window, and only unpacked them inside it', async () => {
    const report = serverReport(await waveReport(files.planFile, 1, password), only().name);
    expect(report.outcome).toBe('Upgraded');
    const prepare = report.steps.find((step) => step.step === 'prepare');
    expect(prepare?.status).toBe('succeeded');
    expect(report.window?.openedAt).toBeDefined();
    expect(Date.parse(prepare?.endedAt ?? '')).toBeLessThanOrEqual(Date.parse(report.window?.openedAt ?? ''));
    // What apt said: prepare fetched the files (copy: from the host's repository) and stopped
    // at the download; the install inside the window fetched nothing (--no-download).
    const prepareOutput = await commandOutput(files.stateDir, only().name, 'prepare', 'prepare');
    expect(prepareOutput).toMatch(/Get:\d+ copy:/);
    expect(prepareOutput).toMatch(/download only mode/);
    expect(prepareOutput).toMatch(/: OK/);
    const upgradeOutput = await commandOutput(files.stateDir, only().name, 'upgrade', 'upgrade');
    expect(upgradeOutput).toMatch(/Unpacking mariadb-server/);
    expect(upgradeOutput).not.toMatch(/Get:\d+/);
    const cached = await onHost(only(), 'ls /var/cache/apt/archives');
    expect(cached).toContain(`mariadb-server_${to.replace(':', '%3a')}_`);
    expect(await onHost(only(), 'cat /var/log/apt/history.log')).toMatch(/--no-download/);
  });

  it("kept the DBA's conffile edit (--force-confold) and the server's own init script ran it", async () => {
    expect(await onHost(only(), `cat ${PACKAGE_CONFFILE}`)).toContain(DBA_EDIT);
    const log = await onHost(only(), 'cat /var/log/mysql/error.log');
    expect(log).toMatch(/mariadbd: Shutdown complete/);
    expect(log).toContain(`Starting MariaDB ${upstream(to)}`);
    expect(log).not.toMatch(/Starting crash recovery/);
    // mariadb-upgrade ran (post-upgrade succeeded) and found nothing to convert within 10.11:
    // the datadir's mysql_upgrade_info keeps the series' first upgraded version.
    const postUpgrade = await commandOutput(files.stateDir, only().name, 'post-upgrade', 'postUpgrade');
    expect(postUpgrade).toMatch(/already upgraded|OK/);
    expect(await onHost(only(), 'cat /var/lib/mysql/mysql_upgrade_info')).toMatch(/^10\.11\./);
  });
});
