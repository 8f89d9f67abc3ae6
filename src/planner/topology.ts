import type { InputIssue } from '../core/errors.js';
import { issueAt, type SourceLocator } from '../core/source-locator.js';
import { clustersOf, type FleetServer } from './fleet-view.js';

/**
 * The replication rule the whole plan keeps: a primary is upgraded after every replica of its
 * cluster (a replica may run a newer version than its primary, not the reverse). Across waves:
 * a primary's wave is at or after its replicas' waves; across the days of a wave, likewise; and on
 * one day, the replicas come first in execution order.
 */
export function topologyIssues(servers: readonly FleetServer[], sources: SourceLocator): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const server of servers) {
    if (server.role !== undefined && server.cluster === undefined) {
      const key = ['servers', server.serverIndex, 'role'];
      issues.push(
        issueAt(
          sources.hardwareClass(server.classId, key),
          key,
          `role: ${server.role} needs a cluster: name the replication cluster this server belongs to`,
        ),
      );
    }
  }
  for (const cluster of clustersOf(servers)) {
    const [first, ...others] = cluster.primaries;
    for (const other of others) {
      const key = ['servers', other.serverIndex, 'role'];
      issues.push(
        issueAt(
          sources.hardwareClass(other.classId, key),
          key,
          `cluster ${cluster.name} has two primaries, ${first?.name} and ${other.name}`,
        ),
      );
    }
  }
  return issues;
}

/**
 * Orders one day's servers for execution: keeps the given order, except that a primary moves to
 * just after the last of its replicas on that day.
 */
export function replicasFirst(servers: readonly FleetServer[]): FleetServer[] {
  const position = new Map<FleetServer, number>();
  servers.forEach((server, index) => {
    position.set(server, index);
  });
  const lastReplica = new Map<string, number>();
  servers.forEach((server, index) => {
    if (server.role === 'replica' && server.cluster !== undefined) lastReplica.set(server.cluster, index);
  });
  const key = (server: FleetServer): number => {
    const own = position.get(server) ?? 0;
    if (server.role !== 'primary' || server.cluster === undefined) return own;
    const replica = lastReplica.get(server.cluster);
    return replica !== undefined && replica > own ? replica + 0.5 : own;
  };
  return [...servers].sort((left, right) => key(left) - key(right));
}
