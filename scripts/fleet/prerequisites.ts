import { run } from './exec.js';

/**
 * The Debian packages the fleet runs on. Installed with apt-get when missing and we are root;
 * otherwise `up` stops and says exactly what to install, instead of failing later in a daemon.
 */
export const REQUIRED_PACKAGES = [
  'mariadb-server-core',
  'mariadb-client-core',
  'openssh-server',
  'haproxy',
  'sysbench',
  // The bastion test (test/integration/adapters/ssh-bastion.test.ts): ssh-agent and ssh-add, and
  // `ip` to bring up the loopback of the hidden host's own network namespace.
  'openssh-client',
  'iproute2',
  // The history baseline's test (test/integration/stats/prometheus-baseline.test.ts): a real
  // Prometheus (and promtool, to backfill past days) scraping a real mysqld_exporter.
  'prometheus',
  'prometheus-mysqld-exporter',
] as const;

export async function missingPackages(packages: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of packages) {
    // dpkg-query's own format syntax, not a JavaScript template.
    const format = ['-f=$', '{Status}'].join('');
    const result = await run('dpkg-query', ['-W', format, name]);
    if (result.code !== 0 || !result.stdout.includes('install ok installed')) missing.push(name);
  }
  return missing;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Idempotent: a machine that has everything costs one dpkg-query per package. */
export async function ensurePackages(log: (line: string) => void): Promise<void> {
  const missing = await missingPackages(REQUIRED_PACKAGES);
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(
      `the local fleet needs these Debian packages: ${missing.join(' ')}\n` +
        `install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  let result = await run('apt-get', install, { env });
  if (result.code !== 0) {
    // A fresh machine has no package lists yet: update once, then try again.
    await run('apt-get', ['update'], { env });
    result = await run('apt-get', install, { env });
  }
  if (result.code !== 0) {
    throw new Error(
      `apt-get install ${missing.join(' ')} failed:\n${result.stderr.trim().split('\n').slice(-10).join('\n')}`,
    );
  }
}
