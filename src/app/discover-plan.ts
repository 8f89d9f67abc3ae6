import { ExitStatus } from '../core/errors.js';
import { describeClient } from '../gates/connected-clients.js';
import type { ObservedServer } from '../gates/server-observation.js';
import { compareTopology, inferTopology } from '../gates/topology-check.js';
import { displayPath } from '../inventory/display-path.js';
import { loadPlan } from '../inventory/load-plan.js';
import { type ClassTopologyChange, writeClassTopology } from '../inventory/write-class-topology.js';
import type { DeclaredTopology } from '../model/declared-topology.js';
import { discoveryDocument, renderDiscoveryText } from '../report/render-discovery.js';
import type { CommandServices } from './command-services.js';
import { observeFleet, type SqlConnector } from './observe-fleet.js';

/** The flags of `dbwave discover`. */
export interface DiscoverArguments {
  readonly plan: string;
  /** `--write`: fill cluster and role into the hardware-class files from what the servers say. */
  readonly write?: boolean | undefined;
  /** `--json`: one JSON document on stdout. */
  readonly json?: boolean | undefined;
}

/** What `discover` is given: the process's services, and in tests a fake SQL connector. */
export interface DiscoverServices extends CommandServices {
  readonly sql?: SqlConnector;
}

/**
 * `dbwave discover PLAN`: asks every server of the plan's fleet what it is in replication
 * (its source, its registered replicas, read_only) and who is connected, and compares that with
 * the cluster and role its class file declares. Prints a table per server (or `--json`), every
 * mismatch with both facts and each server's clients, those not through the maintenance proxy
 * marked. `--write` fills cluster and role into the class files, keeping comments and hand edits.
 * Exit 0 when every server answered and agrees with its class file (after `--write`: once
 * written), 1 when one disagrees or could not be asked, 2 when the plan or its inputs do not load.
 * An unexpected client is a warning, not a failure: the run's precheck is where it stops.
 */
export async function discoverPlan(args: DiscoverArguments, services: DiscoverServices): Promise<ExitStatus> {
  const { streams, cwd } = services;
  const loaded = await loadPlan(args.plan, { cwd });
  const { inventory } = loaded;
  const { observed, discovery } = await observeFleet(inventory, services.sql);

  let written: ClassTopologyChange[] = [];
  let mismatches = discovery.mismatches;
  if (args.write === true) {
    const entries = inferTopology(observed);
    written = await writeClassTopology([...inventory.classFiles.values()], entries);
    mismatches = compareTopology(observed.map((server) => redeclared(server, entries))).mismatches;
  }
  const ok = mismatches.length === 0 && discovery.unobserved.length === 0;

  if (args.json === true) {
    const document = {
      plan: displayPath(loaded.planFile, cwd),
      ok,
      ...discoveryDocument(discovery),
      ...(args.write === true
        ? {
            written: written.map((change) => ({ ...change, file: displayPath(change.file, cwd) })),
            mismatchesAfterWrite: mismatches.map(({ server, declared, observed: seen }) => ({
              server,
              declared,
              observed: seen,
            })),
          }
        : {}),
    };
    streams.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return ok ? ExitStatus.Ok : ExitStatus.Unhealthy;
  }

  streams.stdout.write(renderDiscoveryText(discovery));
  for (const { server, client } of discovery.unexpected) {
    streams.stderr.write(`dbwave: warning: ${server}: unexpected client ${describeClient(client)}\n`);
  }
  if (args.write === true) {
    streams.stdout.write(
      written.length === 0
        ? '\nwrote nothing: every class file already says what the servers say\n'
        : `\n${written.map((change) => `wrote ${displayPath(change.file, cwd)}: ${change.server}: ${topologyText(change.before)} -> ${topologyText(change.after)}`).join('\n')}\n`,
    );
  }
  streams.stdout.write(
    ok
      ? `\n${displayPath(loaded.planFile, cwd)}: ok: ${discovery.servers.length} servers agree with their class files\n`
      : `\n${displayPath(loaded.planFile, cwd)}: ${mismatches.length} mismatch(es), ${discovery.unobserved.length} server(s) not reachable${args.write === true ? ' after writing' : ''}\n`,
  );
  return ok ? ExitStatus.Ok : ExitStatus.Unhealthy;
}

/** A server as its class file will declare it once `entries` are written. */
function redeclared(server: ObservedServer, entries: ReadonlyMap<string, DeclaredTopology>): ObservedServer {
  const entry = entries.get(server.declared.name);
  if (entry === undefined) return server;
  const { cluster: _cluster, role: _role, ...rest } = server.declared;
  return { ...server, declared: entry === 'none' ? rest : { ...rest, ...entry } };
}

function topologyText(topology: { readonly cluster?: string; readonly role?: string }): string {
  return topology.cluster === undefined ? 'no cluster' : `${topology.cluster}/${topology.role ?? '-'}`;
}
