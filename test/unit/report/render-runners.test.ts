import { describe, expect, it } from 'vitest';
import { describeRunners } from '../../../src/report/render-status.js';

const owner = {
  user: 'alice',
  host: 'ops-phx',
  pid: 4242,
  started: '2026-11-24T02:00:00.000Z',
  heartbeat: '2026-11-24T02:10:00.000Z',
  purpose: 'run --wave 1 (runner phx1)',
};

describe('the runners of a shared state store in status', () => {
  it('says when nobody runs the campaign', () => {
    expect(describeRunners([], 'UTC')).toEqual(['Runners: none (no dbwave run holds this campaign)']);
  });

  it('names each runner, who runs it, its token and its lease, and what an expired one means', () => {
    const lines = describeRunners(
      [
        {
          runner: 'phx1',
          owner,
          token: 7,
          expires: '2026-11-24T02:10:30.000Z',
          expired: false,
          servers: ['db3', 'db7'],
        },
        {
          runner: 'iad1',
          owner: { ...owner, host: 'ops-iad' },
          token: 6,
          expires: '2026-11-24T01:00:00.000Z',
          expired: true,
          servers: [],
        },
      ],
      'UTC',
    );
    expect(lines[0]).toMatch(
      /^Runner phx1: alice@ops-phx pid 4242 \(run --wave 1 \(runner phx1\)\) since .*02:00.*, token 7, lease until .*02:10:30.*; running db3, db7$/,
    );
    expect(lines[1]).toMatch(
      /^Runner iad1: alice@ops-iad .* token 6, lease EXPIRED at .*01:00.*; the next run takes it over$/,
    );
  });
});
