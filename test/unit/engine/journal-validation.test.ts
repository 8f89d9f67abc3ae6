import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../../src/engine/journal/file-journal-store.js';
import { JournalCorruptError } from '../../../src/engine/journal/journal-corrupt-error.js';
import { parseJournalRecord } from '../../../src/engine/journal/journal-record.js';
import { replayJournal } from '../../../src/engine/journal/journal-replay.js';
import { CampaignLock, inspectLock, readLockOwner } from '../../../src/engine/lock/campaign-lock.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';
import { Harness } from './fakes/harness.js';

/** A journal the previous dbwave wrote (before step details were typed): five servers, every path. */
const OLD_JOURNAL = fileURLToPath(new URL('./fixtures/journal-before-typed-details.jsonl', import.meta.url));

function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('reading the journal back', () => {
  it('reads a journal the previous dbwave wrote, every record and every key of it kept', async () => {
    const text = await readFile(OLD_JOURNAL, 'utf8');
    const { records, tornTail } = parseJournal(OLD_JOURNAL, text);
    expect(tornTail).toBeUndefined();
    expect(records).toEqual(lines(text));
  });

  it('replays that journal to the outcomes it recorded', async () => {
    const { records } = parseJournal(OLD_JOURNAL, await readFile(OLD_JOURNAL, 'utf8'));
    const outcomes = [...replayJournal(records).servers.values()].map((state) => [
      state.server,
      state.outcome,
    ]);
    expect(outcomes).toEqual([
      ['db1', 'Upgraded'],
      ['db2', 'RolledBack'],
      ['db3', 'RolledBack'],
      ['db4', 'Upgraded'],
      ['db5', 'PrecheckFailed'],
    ]);
  });

  it('names the file, the line and the key of a step detail that is not what its step writes', async () => {
    const text = await readFile(OLD_JOURNAL, 'utf8');
    const damaged = text
      .split('\n')
      .map((line, index) => (index === 1 ? line.replace('"version":', '"version":42,"was":') : line))
      .join('\n');
    const read = (): unknown => parseJournal('state/journal.jsonl', damaged);
    expect(read).toThrow(JournalCorruptError);
    expect(read).toThrow(/^state\/journal\.jsonl:2: not a journal record: detail\.version: /);
  });

  it('names the file and the line of a record of no known kind', () => {
    const line = JSON.stringify({
      v: 1,
      seq: 1,
      at: '2026-12-02T00:00:00Z',
      campaign: 'c',
      wave: 1,
      kind: 'note',
    });
    expect(() => parseJournal('j.jsonl', `${line}\n`)).toThrow(/^j\.jsonl:1: not a journal record: /);
  });

  it('still says a journal was written by a newer dbwave before judging its shape', () => {
    const line = JSON.stringify({ v: 2, seq: 1, kind: 'hologram' });
    expect(() => parseJournal('j.jsonl', `${line}\n`)).toThrow(/written by a newer dbwave \(journal v2\)/);
  });

  it('reads back every record the engine writes, on every path, exactly as written', async () => {
    const harness = new Harness(
      fakeCampaign({ shutdown: { budget: '10s', overBudget: 'abort', hardLimit: '10m' } }),
    );
    harness.fleet.host('db1').exitAfterPolls = 100;
    await harness.upgrade(fakeServer('db1'));
    harness.fleet.host('db2').faults.startFailsOnNew = true;
    await harness.upgrade(fakeServer('db2'));
    harness.hooks = {
      analysisGates: async () => ({
        verdict: 'pause',
        reason: 'innodb inconclusive',
        detail: { gates: ['innodb:inconclusive'], gatesMs: 5, decision: { action: 'pause', by: 'operator' } },
      }),
    };
    await harness.upgrade(fakeServer('db3'));
    for (const record of harness.journal.records) {
      const written = JSON.parse(JSON.stringify(record));
      expect(parseJournalRecord(written)).toEqual(written);
    }
  });

  it('writes a step record with its keys in the order journals always had (step, event, detail)', async () => {
    // Scripts and tests wait for a step by grepping the journal for `"step":"start","event":"succeeded"`.
    const harness = new Harness();
    await harness.upgrade(fakeServer('db1'));
    const lines = harness.journal.records.map((record) => JSON.stringify(record));
    const start = lines.find((line) => line.includes('"step":"start","event":"succeeded"'));
    expect(start).toMatch(/"server":"db1","step":"start","event":"succeeded","detail":\{/);
  });
});

describe('reading the lock file back', () => {
  it('refuses a lock file that is not a lock owner, naming the key, and gives the safe way out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbwave-lock-'));
    await writeFile(join(dir, 'lock.json'), JSON.stringify({ user: 'dba', host: 'ops-1', pid: 'four' }));
    await expect(readLockOwner(dir)).rejects.toThrow();
    const options = {
      stateDir: dir,
      clock: systemClock,
      identity: { user: 'dba', host: 'ops-1', pid: 1 },
      isProcessAlive: () => true,
    };
    await expect(inspectLock(options)).resolves.toMatchObject({ state: 'unreadable', problem: /^key pid: / });
    const refusal = CampaignLock.acquire(options);
    await expect(refusal).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(refusal).rejects.toThrow(
      /lock\.json is not a lock dbwave can read \(key pid: .*\). If no dbwave is running this campaign, dbwave unlock PLAN --force removes it/,
    );
    await expect(refusal).rejects.not.toThrow(/by hand/);
  });
});
