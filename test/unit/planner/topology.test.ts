import { describe, expect, it } from 'vitest';
import type { FleetServer } from '../../../src/planner/fleet-view.js';
import { replicasFirst } from '../../../src/planner/topology.js';
import { repairTopology } from '../../../src/planner/topology-repair.js';

const server = (name: string, extra: Partial<FleetServer> = {}): FleetServer => ({
  name,
  classId: 'alpha',
  classIndex: 0,
  serverIndex: 0,
  position: 0,
  substratum: 'raid10 @ phx1',
  hash: name.length,
  ...extra,
});

describe('replicasFirst', () => {
  it('moves a primary to just after the last of its replicas on the day, and nothing else', () => {
    const primary = server('p', { cluster: 'c', role: 'primary' });
    const replicaOne = server('r1', { cluster: 'c', role: 'replica' });
    const replicaTwo = server('r2', { cluster: 'c', role: 'replica' });
    const ordered = replicasFirst([server('a'), primary, replicaOne, server('b'), replicaTwo, server('d')]);
    expect(ordered.map((entry) => entry.name)).toEqual(['a', 'r1', 'b', 'r2', 'p', 'd']);
  });
});

describe('repairTopology', () => {
  it('trades a primary placed before its replica with a server of its class from the replica’s day', () => {
    const primary = server('p', { cluster: 'c', role: 'primary' });
    const replica = server('r', { cluster: 'c', role: 'replica', classId: 'beta' });
    const partner = server('x');
    const assignment = {
      slots: [
        [primary, server('y')],
        [replica, partner],
      ],
      waveOfSlot: [0, 1],
    };
    expect(repairTopology(assignment)).toEqual([]);
    expect(assignment.slots.map((slot) => slot.map((entry) => entry.name))).toEqual([
      ['x', 'y'],
      ['r', 'p'],
    ]);
  });

  it('reports a cluster it cannot put in order across waves', () => {
    const primary = server('p', { cluster: 'c', role: 'primary' });
    const replica = server('r', { cluster: 'c', role: 'replica', classId: 'beta' });
    const assignment = { slots: [[primary], [replica]], waveOfSlot: [0, 1] };
    expect(repairTopology(assignment).map((conflict) => conflict.cluster)).toEqual(['c']);
  });

  it('moves a primary alone to its replica’s day inside one wave when no trade works', () => {
    const primary = server('p', { cluster: 'c', role: 'primary' });
    const replica = server('r', { cluster: 'c', role: 'replica', classId: 'beta' });
    const assignment = { slots: [[primary], [replica]], waveOfSlot: [0, 0] };
    expect(repairTopology(assignment)).toEqual([]);
    expect(assignment.slots.map((slot) => slot.map((entry) => entry.name))).toEqual([[], ['r', 'p']]);
  });
});
