import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the real CLI from source, the way a user would (through tsx). */
export function dbwave(args: readonly string[], cwd: string, input?: string) {
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  return spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, DBWAVE_DEBUG: '' },
    ...(input === undefined ? {} : { input }),
  });
}

/** A campaign over the imported `hardware-classes/`, its first wave `firstWave` servers. */
export function importedCampaign(firstWave: number): string {
  return [
    'campaign: imported',
    'fleet: hardware-classes',
    'timezone: UTC',
    'from: {version: "10.11.6"}',
    'to: {version: "10.11.11"}',
    'window: {start: "02:00", end: "06:00"}',
    'waves:',
    `  - {date: "2036-11-25", size: ${firstWave}}`,
    '  - {date: "2036-11-27", size: rest}',
    'commands:',
    '  running: systemctl is-active {{vars.mysqlService}}',
    '  installedVersion: mariadb --version',
    '  stop: systemctl stop {{vars.mysqlService}}',
    '  start: systemctl start {{vars.mysqlService}}',
    '  upgrade: apt-get install -y mariadb-server',
    '  rollback: apt-get install -y --allow-downgrades mariadb-server',
    '',
  ].join('\n');
}

/** Command streams that keep what is written to stdout. */
export function capture() {
  const written = { out: '', err: '' };
  return {
    streams: {
      stdout: { write: (text: string) => (written.out += text) },
      stderr: { write: (text: string) => (written.err += text) },
    },
    out: () => written.out,
  };
}

/** Command streams that drop everything. */
export const sink = { stdout: { write: () => true }, stderr: { write: () => true } };
