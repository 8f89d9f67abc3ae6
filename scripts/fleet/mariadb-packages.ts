import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runOk } from './exec.js';
import type { FleetPaths } from './fleet-paths.js';
import { isRoot } from './prerequisites.js';

/**
 * The two MariaDB builds the fleet upgrades between: the two newest `mariadb-server-core`
 * versions apt offers, each unpacked (with the matching client-core, which brings the
 * `my_print_defaults` that mariadb-install-db needs, and the client tools mariadb-upgrade runs)
 * into its own prefix. Unpacked once and cached across `up`.
 */

export interface MariadbBuild {
  /** Debian version, e.g. `1:10.11.19-0+deb12u1`. */
  readonly debianVersion: string;
  /** What the server reports and what fleetctl prints, e.g. `10.11.19`. */
  readonly version: string;
  /** Prefix root: `<prefix>/usr/sbin/mariadbd`. */
  readonly prefix: string;
}

export interface MariadbBuilds {
  readonly from: MariadbBuild;
  readonly to: MariadbBuild;
}

/** `1:10.11.19-0+deb12u1` -> `10.11.19` */
export function upstreamVersion(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

/** Versions in the order apt-cache madison lists them, newest first, without duplicates. */
export function parseMadison(output: string): string[] {
  const versions: string[] = [];
  for (const line of output.split('\n')) {
    const version = line.split('|')[1]?.trim();
    if (version && !versions.includes(version)) versions.push(version);
  }
  return versions;
}

async function madison(name: string): Promise<string[]> {
  return parseMadison((await run('apt-cache', ['madison', name])).stdout);
}

async function newestTwo(log: (line: string) => void): Promise<[string, string]> {
  let versions = await madison('mariadb-server-core');
  if (versions.length < 2 && isRoot()) {
    log('apt lists fewer than two mariadb-server-core builds: running apt-get update');
    await run('apt-get', ['update']);
    versions = await madison('mariadb-server-core');
  }
  const [newer, older] = versions;
  if (newer === undefined || older === undefined) {
    throw new Error(
      `apt-cache madison mariadb-server-core lists ${versions.length} build(s); the fleet needs two ` +
        '(a release and its security update: enable bookworm-security and run apt-get update)',
    );
  }
  // madison lists newest first; dpkg is the authority on Debian version order.
  const ordered = await run('dpkg', ['--compare-versions', older, 'lt', newer]);
  return ordered.code === 0 ? [older, newer] : [newer, older];
}

async function unpack(
  paths: FleetPaths,
  debianVersion: string,
  log: (line: string) => void,
): Promise<MariadbBuild> {
  const version = upstreamVersion(debianVersion);
  const prefix = paths.prefix(version);
  const done = join(prefix, '.complete');
  if (existsSync(done)) return { debianVersion, version, prefix };

  const debDir = join(paths.debs, version);
  await mkdir(debDir, { recursive: true });
  const have = await readdir(debDir);
  const wanted = ['mariadb-server-core', 'mariadb-client-core'].filter(
    (name) => !have.some((file) => file.startsWith(`${name}_`) && file.endsWith('.deb')),
  );
  if (wanted.length > 0) {
    log(`downloading ${wanted.map((name) => `${name}=${debianVersion}`).join(' ')}`);
    await runOk('apt-get', ['download', ...wanted.map((name) => `${name}=${debianVersion}`)], {
      cwd: debDir,
    });
  }
  // Unpack into a scratch dir and rename: a crash halfway never leaves a prefix that looks done.
  const scratch = `${prefix}.partial`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  for (const file of await readdir(debDir)) {
    if (file.endsWith('.deb')) await runOk('dpkg-deb', ['-x', join(debDir, file), scratch]);
  }
  await rm(prefix, { recursive: true, force: true });
  await rename(scratch, prefix);
  await writeFile(done, `${debianVersion}\n`);
  log(`unpacked MariaDB ${version} into ${prefix}`);
  return { debianVersion, version, prefix };
}

export async function ensureBuilds(paths: FleetPaths, log: (line: string) => void): Promise<MariadbBuilds> {
  const [older, newer] = await newestTwo(log);
  const from = await unpack(paths, older, log);
  const to = await unpack(paths, newer, log);
  return { from, to };
}
