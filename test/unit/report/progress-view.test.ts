import { describe, expect, it } from 'vitest';
import { EngineEvents } from '../../../src/engine/events/engine-events.js';
import {
  applyStep,
  attachProgressView,
  ProgressModel,
  renderProgress,
} from '../../../src/observers/terminal/progress-view.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';

const start = Date.parse('2011-09-20T16:00:00Z');
const base = {
  campaign: 'fleet-5158',
  wave: 1,
  servers: ['db-a1', 'db-b1', 'db-c1'],
  target503Ms: 600_000,
  shutdownBudgetMs: 3_600_000,
};

/** The view of `base`'s wave on a stream that keeps what is written. */
function viewOnto(
  stream: { isTTY: boolean; columns?: number; rows?: number },
  extra: { live?: boolean; refreshMs?: number } = {},
) {
  const events = new EngineEvents();
  const written: string[] = [];
  const view = attachProgressView({
    ...base,
    ...extra,
    events,
    clock: new FakeClock(start),
    stream: { ...stream, write: (text: string) => written.push(text) > 0 } as never,
  });
  return { events, written, view };
}

describe('the live view of a wave', () => {
  it('shows each server in flight with its step, elapsed time, shutdown ETA and window against its target', () => {
    const model = new ProgressModel(base.servers);
    model.waveState = 'running';
    model.waveStartedAt = start;
    const a1 = model.line('db-a1');
    applyStep(a1, 'window-open', 'started', start);
    applyStep(a1, 'window-open', 'succeeded', start + 1_000);
    applyStep(a1, 'shutdown', 'started', start + 1_000);
    a1.etaMs = 180_000;
    a1.dirtyPages = 4200;
    const text = renderProgress(model, start + 121_000, base);
    expect(text.split('\n')).toEqual([
      'dbwave fleet-5158 wave 1 running · 0/3 done · 1 in flight · 2 waiting · 2m01s',
      '  db-a1              shutdown            2m00s ETA 3m00s (4200 dirty) 503 2m00s/10m00s',
      '  waiting: db-b1, db-c1',
    ]);
  });

  it('marks a window over its target and a shutdown over its budget', () => {
    const model = new ProgressModel(['db-a1']);
    const a1 = model.line('db-a1');
    applyStep(a1, 'window-open', 'succeeded', start);
    applyStep(a1, 'shutdown', 'started', start);
    const text = renderProgress(model, start + 3_700_000, base);
    expect(text).toContain('OVER BUDGET');
    expect(text).toContain('503 1h01m40s/10m00s OVER');
  });

  it('writes plain timestamped lines when the output is not a terminal', async () => {
    const { events, written, view } = viewOnto({ isTTY: false });
    await events.emit('step', {
      at: '2011-09-20T16:00:00.000Z',
      wave: 1,
      server: 'db-a1',
      step: 'precheck',
      event: 'started',
    });
    await events.emit('outcome', {
      at: '2011-09-20T16:00:02.000Z',
      wave: 1,
      server: 'db-a1',
      outcome: 'Upgraded',
    });
    view.close();
    expect(written.join('')).toContain('2011-09-20T16:00:00Z db-a1');
    expect(written.join('')).toMatch(/db-a1 +=> Upgraded/);
  });

  it('stops drawing while a question is asked at the terminal, and draws again after the answer', async () => {
    const { events, written, view } = viewOnto(
      { isTTY: true, columns: 120, rows: 40 },
      { live: true, refreshMs: 3_600_000 },
    );
    const step = (step: 'precheck' | 'baseline') =>
      events.emit('step', {
        at: '2011-09-20T16:00:00.000Z',
        wave: 1,
        server: 'db-a1',
        step,
        event: 'started',
      });
    let drawnWhileAsking = -1;
    const answer = await view.hold(async () => {
      const before = written.length;
      await step('precheck');
      drawnWhileAsking = written.length - before;
      return 'continue';
    });
    expect(answer).toBe('continue');
    expect(drawnWhileAsking).toBe(0);
    const before = written.length;
    await step('baseline');
    expect(written.slice(before).join('')).toContain('baseline');
    view.close();
  });
});
