import { describe, expect, it } from 'vitest';
import { DbwaveError } from '../../../src/core/errors.js';
import { serverSelector } from '../../../src/model/server-selector.js';
import { fakeServer } from '../engine/fakes/fake-fleet.js';

const servers = [
  fakeServer('db1', { datacenter: 'phx1', class: 'ix-6', cluster: 'c1', role: 'primary' }),
  fakeServer('db2', { datacenter: 'phx1', class: 'ix-24', cluster: 'c1', role: 'replica' }),
  fakeServer('db3', { datacenter: 'scl2', class: 'cuil-9' }),
  fakeServer('db4', { datacenter: 'phx2', class: 'ix-6' }),
];
const names = (only: string[]) => servers.filter(serverSelector(only)).map((server) => server.name);

describe('run --only KEY=VALUE', () => {
  it('selects the servers matching every key, either value of a key given twice', () => {
    expect(names(['datacenter=phx1'])).toEqual(['db1', 'db2']);
    expect(names(['datacenter=phx1', 'class=ix-6'])).toEqual(['db1']);
    expect(names(['datacenter=phx1', 'datacenter=phx2'])).toEqual(['db1', 'db2', 'db4']);
    expect(names(['cluster=c1', 'role=replica'])).toEqual(['db2']);
    // A server without the key never matches it.
    expect(names(['cluster=c2'])).toEqual([]);
    expect(names([])).toEqual(['db1', 'db2', 'db3', 'db4']);
  });

  it('refuses what is not KEY=VALUE of a known key, naming the flag and the keys (exit 2)', () => {
    for (const bad of ['datacenter', '=phx1', 'datacenter=', 'rack=r1']) {
      expect(() => serverSelector([bad])).toThrow(DbwaveError);
      expect(() => serverSelector([bad])).toThrow(
        new RegExp(`--only ${bad}: expected KEY=VALUE with KEY one of name, class, datacenter`),
      );
    }
  });
});
