import { describe, expect, it } from 'vitest';
import { controlCandidates, fitAsControl } from '../../../src/analysis/control-servers.js';
import type { JournalRecord, ServerOutcome } from '../../../src/engine/journal/journal-record.js';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { fakeServer } from '../engine/fakes/fake-fleet.js';

const server = (name: string, hardwareClass = 'ix-6'): ResolvedServer =>
  fakeServer(name, { class: hardwareClass });

let seq = 0;
const at = '2026-11-24T10:00:00.000Z';
const outcome = (name: string, value: ServerOutcome): JournalRecord => {
  seq += 1;
  return { v: 1, seq, at, campaign: 'test', kind: 'outcome', wave: 1, server: name, outcome: value };
};
const inFlight = (name: string): JournalRecord => {
  seq += 1;
  return {
    v: 1,
    seq,
    at,
    campaign: 'test',
    kind: 'step',
    wave: 1,
    server: name,
    step: 'shutdown',
    event: 'started',
  };
};

describe('the servers fit to be controls', () => {
  const replay = replayJournal([
    outcome('db-2', 'Upgraded'),
    outcome('db-3', 'RolledBack'),
    inFlight('db-4'),
    outcome('db-5', 'PrecheckFailed'),
    outcome('db-6', 'NeedsPerson'),
  ]);

  it('are those still on the old version and not in flight, as the journal says', () => {
    expect(
      ['db-1', 'db-2', 'db-3', 'db-4', 'db-5', 'db-6'].filter((name) => fitAsControl(replay, name)),
    ).toEqual(['db-1', 'db-3', 'db-5']);
  });

  it("are taken from the server's own hardware class, never the server itself, in fleet order", () => {
    const fleet = [server('db-5'), server('db-1'), server('db-7', 'ix-24'), server('db-3'), server('db-2')];
    expect(controlCandidates(server('db-1'), fleet, replay).map((candidate) => candidate.name)).toEqual([
      'db-5',
      'db-3',
    ]);
  });
});
