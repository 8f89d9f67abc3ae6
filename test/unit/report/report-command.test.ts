import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checklistForWave } from '../../../src/app/checklist-for-wave.js';
import { reportWave } from '../../../src/app/report-wave.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { journalText, SyntheticJournal } from './synthetic-journal.js';

const PLAN = 'test/unit/report/fixtures/plan.yaml';
let stateDir: string;
let out: string[];
let err: string[];
const streams = {
  stdout: { write: (text: string) => out.push(text) },
  stderr: { write: (text: string) => err.push(text) },
};
const services = () => ({
  streams,
  clock: new FakeClock(Date.parse('2011-09-20T18:00:00Z')),
  cwd: process.cwd(),
});

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dbwave-report-'));
  out = [];
  err = [];
  const journal = new SyntheticJournal().waveStarted(1, ['db-a1', 'db-b1', 'db-c1']);
  journal.healthyServer(1, 'db-a1');
  journal.startFailsServer(1, 'db-b1');
  // dbwave was killed while writing its next record: a torn last line.
  await writeFile(join(stateDir, 'journal.jsonl'), journalText(journal.records, '{"v":1,"seq":'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('dbwave report', () => {
  it('prints a Markdown report of a wave killed mid-way, from a copied state dir', async () => {
    expect(await reportWave({ plan: PLAN, wave: 1, stateDir }, services())).toBe(0);
    const text = out.join('');
    expect(text).toContain('# fleet-5158: wave 1 — in-progress');
    expect(text).toContain('a line cut short');
    expect(text).toContain('### db-b1 (ix-24) — rolled back');
    expect(text).toContain('Rollback (in-window, succeeded');
    expect(text).toMatch(/^\| 3 \| 1 \| 0 \| 1 \| 0 \| 0 \| 0 \| 0 \| 1 \|$/m);
  });

  it('writes the documented JSON shape with --json', async () => {
    await reportWave({ plan: PLAN, wave: 1, stateDir, json: true }, services());
    const report = JSON.parse(out.join(''));
    expect(report.schemaVersion).toBe(1);
    expect(report.journal.tornTail).toBe(true);
    const metric = report.servers[0].innodb.metrics[0];
    expect(Object.keys(metric)).toEqual(
      expect.arrayContaining(['name', 'before', 'after', 'change', 'verdict']),
    );
    expect(report.servers.map((server: { name: string }) => server.name)).toEqual([
      'db-a1',
      'db-b1',
      'db-c1',
    ]);
  });

  it('writes an HTML file atomically with --out and says where', async () => {
    const out = join(stateDir, 'wave-1.html');
    await reportWave({ plan: PLAN, wave: 1, stateDir, format: 'html', out }, services());
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(err.join('')).toContain('wrote the html report of wave 1');
    expect((await readdir(stateDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a wave the plan does not have, writing nothing', async () => {
    const file = join(stateDir, 'nothing.md');
    await expect(reportWave({ plan: PLAN, wave: 7, stateDir, out: file }, services())).rejects.toThrow(
      'fleet-5158 has no wave 7 (its plan has waves 1, 2)',
    );
    expect(await readdir(stateDir)).toEqual(['journal.jsonl']);
  });

  it('reports a wave not started yet when the state dir has no journal', async () => {
    await reportWave(
      { plan: PLAN, wave: 2, stateDir: join(stateDir, 'nothing-here'), json: true },
      services(),
    );
    const report = JSON.parse(out.join(''));
    expect(report.status).toBe('not-started');
    expect(report.servers).toEqual([expect.objectContaining({ name: 'db-a2', outcome: 'NotExecuted' })]);
  });

  it('refuses --json with another --format', async () => {
    await expect(
      reportWave({ plan: PLAN, wave: 1, stateDir, json: true, format: 'md' }, services()),
    ).rejects.toThrow('--json and --format md disagree');
  });
});

describe('dbwave checklist', () => {
  it("lists the wave's servers in plan order with their commands shell-quoted and their rollback", async () => {
    expect(await checklistForWave({ plan: PLAN, wave: 1 }, streams)).toBe(0);
    const text = out.join('');
    expect(text).toContain('# Checklist: fleet-5158, wave 1 (first day)');
    expect(text).toContain('window 09:00–18:00 PDT (16:00–01:00 UTC), 3 servers');
    expect(text.indexOf('### 1. db-a1')).toBeLessThan(text.indexOf('### 2. db-b1'));
    expect(text).toContain("Upgrade: `sudo apt-get install -y 'percona-server-server-5.1=5.1.58-rel12.9'`");
    expect(text).toContain(
      "Rollback: stop if running, `sudo apt-get install -y --allow-downgrades 'percona-server-server-5.1=5.1.44-rel11.0'`",
    );
    expect(text).toContain('HAProxy `set server users-a/db-a1 state maint`');
    expect(text).toContain('over SSH as dbwave@db-a1.phx1.example.net:22');
    expect(text).toContain('No transaction open longer than 1m00s');
  });

  it('names who to tell and how to broadcast the status, without the webhook URL', async () => {
    await checklistForWave({ plan: PLAN, wave: 1 }, streams);
    const text = out.join('');
    expect(text).toContain('- [ ] #db-ops: before the window opens');
    expect(text).toContain('- [ ] on-call DBA (pager)');
    // The webhook comes from the variable the campaign names, never from the command line (ps).
    expect(text).toContain(
      "--every 30m` (it posts to the webhook in `$DBWAVE_TEST_WEBHOOK`, the campaign's `notify.webhookEnv`)",
    );
    expect(text).not.toContain('--webhook');
  });
});
