import { describe, expect, it } from 'vitest';
import { FIGURES_BEGIN, FIGURES_END, withFigures } from '../../../scripts/bench/bench-figures.js';
import type { TargetResult } from '../../../scripts/bench/bench-report.js';

const doc = (rows: string[]): string =>
  ['# Bench', 'prose before', FIGURES_BEGIN, ...rows, FIGURES_END, 'prose after', ''].join('\n');

const result = (id: string, measured: string): TargetResult => ({
  id,
  target: `target ${id}`,
  measured,
  verdict: 'pass',
});

describe('the figures table of docs/bench.md', () => {
  it('replaces the rows of the targets a run measured and keeps the others with their dates', () => {
    const before = doc([
      '| # | target | measured | verdict | measured at (UTC) |',
      '|---|---|---|---|---|',
      '| 1 | target 1 | old plan figure | PASS | 2026-11-23 18:06 |',
      '| 2 | target 2 | old window figure | PASS | 2026-11-23 18:06 |',
    ]);
    const after = withFigures(before, [result('1', 'new | plan figure')], new Date('2026-12-02T05:00:00Z'));
    expect(after).toContain('| 1 | target 1 | new \\| plan figure | PASS | 2026-12-02 05:00 |');
    expect(after).not.toContain('old plan figure');
    expect(after).toContain('| 2 | target 2 | old window figure | PASS | 2026-11-23 18:06 |');
    expect(after.startsWith('# Bench\nprose before\n')).toBe(true);
    expect(after.endsWith(`${FIGURES_END}\nprose after\n`)).toBe(true);
    expect(after.match(/\| # \| target/g)).toHaveLength(1);
  });

  it('orders the rows by target and adds a target it had no row for', () => {
    const after = withFigures(doc([]), [result('4b', 'b'), result('2', 'a')], new Date(0));
    const ids = after
      .split('\n')
      .filter((line) => /^\| [0-9]/.test(line))
      .map((line) => line.split(' ')[1]);
    expect(ids).toEqual(['2', '4b']);
  });

  it('refuses a document without the markers rather than writing the table somewhere else', () => {
    expect(() => withFigures('# Bench\n', [result('1', 'x')], new Date(0))).toThrow(/markers/);
  });
});
