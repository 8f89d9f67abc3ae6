import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/core/errors.js';
import { parseDfAvailableKb } from '../../../src/engine/host-commands/disk-free.js';
import { resolveErrorLog } from '../../../src/engine/steps/precheck-step.js';
import {
  type DrainSample,
  estimateShutdownEta,
  pruneDrainSamples,
  RATE_WINDOW_MS,
} from '../../../src/engine/steps/shutdown-eta.js';
import { waitUntil } from '../../../src/engine/steps/wait-until.js';
import { serversDue, waveTiming } from '../../../src/engine/wave/wave-timing.js';
import { serverVersionIs, versionMatches } from '../../../src/model/version-match.js';
import { FakeClock } from './fakes/fake-clock.js';

describe('version matching', () => {
  it('finds the expected version whole in what a server or a package manager prints', () => {
    expect(serverVersionIs('10.11.19-MariaDB-0+deb12u1', '10.11.19')).toBe(true);
    expect(serverVersionIs('5.1.58-rel12.9-log', '5.1.58')).toBe(true);
    expect(versionMatches('1:10.11.19-0+deb12u1', '10.11.19')).toBe(true);
  });

  it('never takes 10.11.1 for 10.11.19, nor 5.1.5 for 5.1.58', () => {
    expect(serverVersionIs('10.11.19-MariaDB', '10.11.1')).toBe(false);
    expect(versionMatches('5.1.58', '5.1.5')).toBe(false);
    expect(versionMatches('10.11.18', '0.11.18')).toBe(false);
  });
});

describe('the shutdown ETA', () => {
  it('is the slower of flushing dirty pages and purging the history list', () => {
    const eta = estimateShutdownEta([
      { at: 0, dirtyPages: 10_000, historyListLength: 1_000 },
      { at: 10_000, dirtyPages: 5_000, historyListLength: 900 },
    ]);
    expect(eta).toBe(90_000);
  });

  it('gives no estimate while something does not go down', () => {
    expect(
      estimateShutdownEta([
        { at: 0, dirtyPages: 10 },
        { at: 1_000, dirtyPages: 12 },
      ]),
    ).toBeUndefined();
    expect(estimateShutdownEta([{ at: 0, dirtyPages: 10 }])).toBeUndefined();
  });

  it('keeps only the last half minute of drain samples, however long the shutdown', () => {
    const samples: DrainSample[] = [];
    for (let at = 0; at <= 3_600_000; at += 250) {
      samples.push({ at, dirtyPages: 3_600_000 - at });
      pruneDrainSamples(samples);
    }
    expect(samples.length).toBeLessThanOrEqual(RATE_WINDOW_MS / 250 + 1);
    expect(estimateShutdownEta(samples)).toBe(0);
  });
});

describe('waitUntil', () => {
  it('returns the first value the check gives', async () => {
    let calls = 0;
    const value = await waitUntil({
      what: 'x',
      clock: new FakeClock(),
      timeoutMs: 60_000,
      intervalMs: 1_000,
      check: async () => (++calls === 3 ? 'ready' : undefined),
    });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('throws a TimeoutError once the clock passes the timeout, after a last check', async () => {
    const clock = new FakeClock();
    const started = clock.now();
    let last = 0;
    const waiting = waitUntil({
      what: 'db1 to exit',
      clock,
      timeoutMs: 10_000,
      intervalMs: 3_000,
      check: async (elapsed) => {
        last = elapsed;
        return undefined;
      },
    });
    await expect(waiting).rejects.toBeInstanceOf(TimeoutError);
    expect(last).toBe(10_000);
    expect(clock.now() - started).toBe(10_000);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      waitUntil({
        what: 'x',
        clock: new FakeClock(),
        timeoutMs: 1_000,
        intervalMs: 100,
        signal: controller.signal,
        check: async () => undefined,
      }),
    ).rejects.toThrow('stop');
  });
});

describe('precheck parsing', () => {
  it('reads the available space from POSIX df output', () => {
    const output =
      'Filesystem     1024-blocks    Used Available Capacity Mounted on\n/dev/md2  1000000  200000  800000  20% /var/lib/mysql\n';
    expect(parseDfAvailableKb(output)).toBe(800_000);
    expect(parseDfAvailableKb('garbage')).toBeUndefined();
  });

  it('resolves a relative error log against the datadir', () => {
    expect(resolveErrorLog('./db1.err', '/var/lib/mysql/')).toBe('/var/lib/mysql/db1.err');
    expect(resolveErrorLog('/var/log/mysql/error.log', '/data')).toBe('/var/log/mysql/error.log');
    expect(resolveErrorLog('stderr', '/data')).toBeUndefined();
  });
});

describe('wave timing', () => {
  const wave = {
    index: 3,
    days: [
      { date: '2011-09-27', windowStart: '2011-09-27T09:00:00Z', windowEnd: '2011-09-27T13:00:00Z' },
      { date: '2011-09-28', windowStart: '2011-09-28T09:00:00Z', windowEnd: '2011-09-28T13:00:00Z' },
    ],
    servers: [
      { name: 'a', class: 'x', date: '2011-09-27' },
      { name: 'b', class: 'x', date: '2011-09-28' },
    ],
  };

  it('knows whether now is before, inside, between or after the wave’s windows', () => {
    expect(waveTiming(wave, Date.parse('2011-09-26T10:00:00Z')).state).toBe('before');
    expect(waveTiming(wave, Date.parse('2011-09-27T10:00:00Z')).state).toBe('inside');
    expect(waveTiming(wave, Date.parse('2011-09-27T20:00:00Z')).state).toBe('between');
    expect(waveTiming(wave, Date.parse('2011-09-29T10:00:00Z')).state).toBe('after');
  });

  it('runs the day’s servers and those left over from earlier days', () => {
    expect(serversDue(wave, wave.days[0]).map((s) => s.name)).toEqual(['a']);
    expect(serversDue(wave, wave.days[1]).map((s) => s.name)).toEqual(['a', 'b']);
    expect(serversDue(wave, undefined).map((s) => s.name)).toEqual(['a', 'b']);
  });
});
