import { beforeAll } from 'vitest';
import type { Campaign } from '../../../src/model/campaign-schema.js';
import { loadExampleCampaign } from './campaign-commands.js';
import { type ExampleServer, useExampleServers } from './container-fixture.js';
import { type AvailableEnvironment, versionOfImage } from './docker-environment.js';
import { type RowDigest, rowDigest, seedRows } from './table-rows.js';

/** One host for the tests of one file, its campaign, and the rows it held before anything ran. */
export interface SeededExampleServer {
  /** The older image's version: what the host runs first and what a rollback brings back. */
  readonly fromVersion: string;
  /** The newer image's version. */
  readonly toVersion: string;
  /** The SQL password of the host, which dbwave reads from its environment. */
  readonly password: string;
  /** The host's own directory, where a test writes its class, campaign and plan files. */
  readonly directory: () => string;
  /** The host as a one-element list, the shape `writeExampleCampaign` takes. */
  readonly servers: readonly ExampleServer[];
  /** The host and the server the example class describes for it. */
  readonly only: () => ExampleServer;
  /** The example campaign, upgrading between the two images. */
  readonly campaign: () => Campaign;
  /** The digest of the seeded rows, to compare with after upgrades and rollbacks. */
  readonly rowsBefore: () => RowDigest;
}

/**
 * A fresh host on the older image with `rows` seeded rows, for a file whose tests upgrade and
 * roll back one server. Everything but the versions and the password is read inside tests or
 * hooks, after this helper's beforeAll (registered first, so it runs before the file's own).
 */
export function useSeededExampleServer(
  environment: AvailableEnvironment,
  label: string,
  rows: number,
): SeededExampleServer {
  const fixture = useExampleServers(environment, label, 1);
  let campaign: Campaign | undefined;
  let rowsBefore: RowDigest | undefined;

  const only = (): ExampleServer => {
    const [first] = fixture.servers;
    if (!first) throw new Error(`no ${label} host yet: read it after beforeAll`);
    return first;
  };

  beforeAll(async () => {
    campaign = await loadExampleCampaign(environment);
    await seedRows(only().host, rows);
    rowsBefore = await rowDigest(only().host);
  });

  return {
    fromVersion: versionOfImage(environment.fromImage),
    toVersion: versionOfImage(environment.toImage),
    password: fixture.password,
    directory: fixture.directory,
    servers: fixture.servers,
    only,
    campaign: () => afterSetup(campaign, label),
    rowsBefore: () => afterSetup(rowsBefore, label),
  };
}

function afterSetup<T>(value: T | undefined, label: string): T {
  if (value === undefined) throw new Error(`the ${label} host is not set up yet: read it after beforeAll`);
  return value;
}
