import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showStatus } from '../../../src/app/show-status.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';
import { journalText, type SyntheticJournal, waveInShutdown } from './synthetic-journal.js';

const PLAN = 'test/unit/report/fixtures/plan.yaml';
let stateDir: string;
let out: string[];
let err: string[];
const streams = {
  stdout: { write: (text: string) => out.push(text) },
  stderr: { write: (text: string) => err.push(text) },
};

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dbwave-status-'));
  out = [];
  err = [];
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function writeJournal(journal: SyntheticJournal): Promise<void> {
  await writeFile(join(stateDir, 'journal.jsonl'), journalText(journal.records));
}

describe('dbwave status', () => {
  it('shows each server with its state, step and window, and the lock', async () => {
    const journal = waveInShutdown();
    await writeJournal(journal);
    const status = await showStatus(
      { plan: PLAN, stateDir },
      { streams, clock: new FakeClock(journal.clock + 60_000), cwd: process.cwd() },
    );
    const text = out.join('');
    expect(status).toBe(0);
    expect(text).toContain('fleet-5158 wave 1 in progress · 1/3 done (1 upgraded)');
    expect(text).toContain('in flight: db-b1 shutdown 1m00s');
    expect(text).toContain('Lock: free');
    expect(text).toMatch(/db-a1 +│ ix-6 +│ upgraded/);
    expect(text).toMatch(/db-b1 .* in progress .* shutdown 1m00s/);
  });

  it('gives the same as JSON with --json', async () => {
    await writeJournal(waveInShutdown());
    await showStatus(
      { plan: PLAN, stateDir, json: true },
      { streams, clock: new FakeClock(), cwd: process.cwd() },
    );
    const json = JSON.parse(out.join(''));
    expect(json.lock).toEqual({ state: 'free' });
    expect(json.report.servers.slice(0, 2).map((server: { outcome: string }) => server.outcome)).toEqual([
      'Upgraded',
      'InProgress',
    ]);
  });

  it('refuses --webhook without --every', async () => {
    await expect(
      showStatus(
        { plan: PLAN, stateDir, webhook: 'http://127.0.0.1:1/x' },
        { streams, clock: new FakeClock(), cwd: process.cwd() },
      ),
    ).rejects.toThrow(/--webhook needs --every/);
  });
});

describe('dbwave status --every', () => {
  let receiver: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => receiver?.close(resolve) ?? resolve(undefined));
  });

  it('broadcasts to stdout and the webhook until the wave finishes, retrying a failed POST', async () => {
    const posts: string[] = [];
    let calls = 0;
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        calls += 1;
        if (calls === 1) {
          response.writeHead(500).end();
          return;
        }
        posts.push(JSON.parse(body).text);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const journal = waveInShutdown();
    await writeJournal(journal);
    const clock = new FakeClock(journal.clock);
    // The wave moves on while status sleeps: the second server finishes, then the wave.
    const script = [
      async () => {
        journal.wait(60_000);
        journal.add({
          kind: 'outcome',
          wave: 1,
          server: 'db-b1',
          outcome: 'NeedsPerson',
          reason: 'shutdown over budget',
        });
        await writeJournal(journal);
      },
      async () => {
        journal.add({ kind: 'wave', wave: 1, event: 'finished' });
        await writeJournal(journal);
      },
    ];
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      await sleep(ms, signal);
      // Only the broadcaster's polls move the wave on; the webhook's retry backoff does not.
      if (ms === 60_000) await script.shift()?.();
    };

    const status = await showStatus(
      { plan: PLAN, stateDir, every: '30m', webhook: url },
      { streams, clock, cwd: process.cwd(), pollMs: 60_000 },
    );
    expect(status).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('in progress');
    expect(lines[1]).toContain('NEEDS A PERSON: db-b1 (shutdown over budget)');
    expect(lines[2]).toContain('finished');
    expect(posts).toEqual(lines);
    expect(err.join('')).toBe('');
  });
});
