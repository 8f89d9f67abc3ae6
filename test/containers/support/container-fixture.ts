import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { EXAMPLE_DIR } from './campaign-commands.js';
import {
  type ContainerHost,
  type ContainerHostOptions,
  removeContainerHost,
  startContainerHost,
} from './container-host.js';
import type { AvailableEnvironment } from './docker-environment.js';

/** A containerized host, and the server the example class describes for it. */
export interface ExampleServer {
  readonly host: ContainerHost;
  readonly server: ResolvedServer;
}

/** The example campaign's shutdown budget, which the containers' stop timeout follows. */
export const SHUTDOWN_BUDGET_SECONDS = 3_600;

/** The class the examples' servers belong to (examples/containers/hardware-classes). */
export const EXAMPLE_CLASS = 'docker-mariadb';

export function exampleServer(host: ContainerHost): ResolvedServer {
  return {
    name: host.name,
    class: EXAMPLE_CLASS,
    host: '127.0.0.1',
    port: host.port,
    sshPort: 22,
    transport: 'local',
    datacenter: 'local',
    dataDir: host.dataDir,
    errorLog: host.errorLog,
    vars: { containerctl: join(EXAMPLE_DIR, 'mariadb-container.sh') },
  };
}

/** What a file's hosts run: an image other than the older MariaDB build, its flavour, a conf dir. */
export type ExampleServerImage = Partial<Pick<ContainerHostOptions, 'image' | 'flavour' | 'withConfDir'>>;

/**
 * `count` fresh hosts (on the older MariaDB image unless `image` says otherwise) for the tests of
 * one file, removed (containers and host directories) after them. Read `servers` inside tests or
 * hooks, after beforeAll.
 */
export function useExampleServers(
  environment: AvailableEnvironment,
  label: string,
  count: number,
  image: ExampleServerImage = {},
): { readonly servers: ExampleServer[]; readonly directory: () => string; readonly password: string } {
  const servers: ExampleServer[] = [];
  let directory = '';
  // One for all: a campaign has one `mysql` user for every server.
  const password = randomBytes(12).toString('hex');
  const names = Array.from({ length: count }, (_, index) => `dbw-${label}-${process.pid}-${index + 1}`);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), `dbwave-containers-${label}-`));
    for (const name of names) {
      const host = await startContainerHost({
        name,
        image: environment.fromImage,
        ...image,
        directory: join(directory, name),
        password,
        stopTimeoutSeconds: SHUTDOWN_BUDGET_SECONDS,
      });
      servers.push({ host, server: exampleServer(host) });
    }
  });

  afterAll(async () => {
    for (const name of names) await removeContainerHost(name);
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  return { servers, directory: () => directory, password };
}
