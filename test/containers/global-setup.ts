import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type ChildOutput, childOutput } from './support/child-output.js';
import { type DockerEnvironment, REPO_ROOT } from './support/docker-environment.js';

/**
 * Brings a Docker engine and the suite's images up for the container suite
 * (scripts/containers/docker-engine.sh, and build-images.sh --all: the two bookworm MariaDB
 * builds, trixie's 11.8, sid's Oracle MySQL and the package-manager host; each built only when
 * missing) and hands them to the tests with `inject('containers')`.
 *
 * Where no engine can be had (not root, no apt-get), the tests are skipped and the reason is
 * printed here and in each skipped test's name. DBWAVE_CONTAINERS_REQUIRED=1 (for CI, where
 * both exist) turns that skip into a failure, so that a broken setup cannot pass as skipped.
 * The engine is stopped afterwards only if this run started it (DBWAVE_DOCKER_KEEP=1 keeps it).
 */

/** Exit statuses with which the scripts say "not possible on this machine", not "broken". */
const CANNOT_RUN_HERE = new Set([3, 4]);

function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildOutput> {
  const child = spawn('bash', [join(REPO_ROOT, 'scripts', 'containers', script), ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The scripts' progress (image builds take a while) shows as it comes.
  return childOutput(child, (chunk) => process.stderr.write(chunk));
}

/** `KEY=value` lines of a script's stdout. */
function keyValues(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) values.set(match[1], match[2]);
  }
  return values;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' / ');
}

/** Throws for a broken setup; returns a reason for a machine that cannot run containers. */
function failureOf(script: string, result: ChildOutput): string {
  const reason = `${script} exited ${result.exitCode}: ${lastLines(result.stderr, 2)}`;
  if (result.exitCode !== null && CANNOT_RUN_HERE.has(result.exitCode)) return reason;
  throw new Error(`container suite setup failed: ${reason}`);
}

async function prepare(): Promise<{ environment: DockerEnvironment; startedEngine: boolean }> {
  const engine = await runScript('docker-engine.sh', ['start'], process.env);
  if (engine.exitCode !== 0) {
    return {
      environment: { available: false, reason: failureOf('docker-engine.sh', engine) },
      startedEngine: false,
    };
  }
  const engineValues = keyValues(engine.stdout);
  const dockerHost = engineValues.get('DOCKER_HOST');
  if (!dockerHost) throw new Error(`docker-engine.sh printed no DOCKER_HOST: ${engine.stdout}`);
  const startedEngine = engineValues.get('STARTED') === 'yes';

  const images = await runScript('build-images.sh', ['--all'], { ...process.env, DOCKER_HOST: dockerHost });
  if (images.exitCode !== 0) {
    return { environment: { available: false, reason: failureOf('build-images.sh', images) }, startedEngine };
  }
  const imageValues = keyValues(images.stdout);
  const printed = (key: string): string => {
    const value = imageValues.get(key);
    if (!value) throw new Error(`build-images.sh --all printed no ${key}: ${images.stdout}`);
    return value;
  };
  return {
    environment: {
      available: true,
      dockerHost,
      fromImage: printed('FROM_IMAGE'),
      toImage: printed('TO_IMAGE'),
      majorImage: printed('MAJOR_IMAGE'),
      mysqlImage: printed('MYSQL_IMAGE'),
      packageHost: {
        image: printed('PACKAGE_HOST_IMAGE'),
        from: printed('PACKAGE_HOST_FROM'),
        to: printed('PACKAGE_HOST_TO'),
      },
    },
    startedEngine,
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { environment, startedEngine } = await prepare();
  if (!environment.available) {
    const message = `containers: SKIPPING the container suite: ${environment.reason}`;
    if (process.env.DBWAVE_CONTAINERS_REQUIRED === '1') throw new Error(message);
    console.warn(message);
  } else {
    console.log(
      `containers: engine ${environment.dockerHost}, images ${environment.fromImage} -> ${environment.toImage}, ${environment.majorImage}, ${environment.mysqlImage}, ${environment.packageHost.image}`,
    );
  }
  project.provide('containers', environment);

  return async () => {
    if (!startedEngine || process.env.DBWAVE_DOCKER_KEEP === '1') return;
    await runScript('docker-engine.sh', ['stop'], process.env);
  };
}
