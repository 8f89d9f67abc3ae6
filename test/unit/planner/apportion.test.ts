import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion, evenSplit } from '../../../src/planner/apportion.js';
import { boundedLargestRemainder } from '../../../src/planner/bounded-largest-remainder.js';

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe('boundedLargestRemainder', () => {
  it('gives the missing units to the largest remainders', () => {
    // Quotas 1.5, 1.3, 0.2 of 3: floors 1, 1, 0, and the one missing unit goes to the 0.5 remainder.
    expect(boundedLargestRemainder([15, 13, 2], 10, [0, 0, 0], [3, 3, 3], 3)).toEqual([2, 1, 0]);
  });

  it('keeps every count within its bounds', () => {
    expect(boundedLargestRemainder([28, 1, 1], 10, [1, 1, 1], [3, 3, 3], 3)).toEqual([1, 1, 1]);
  });

  it('breaks ties towards the lower index, so the result never depends on sort stability', () => {
    expect(boundedLargestRemainder([5, 5], 10, [0, 0], [1, 1], 1)).toEqual([1, 0]);
  });
});

describe('apportion', () => {
  it('splits the source case proportionally: 40/50/40 servers into waves of 30, 50 and 50', () => {
    const counts = apportion([40, 50, 40], [30, 50, 50], [1, 1, 1]);
    expect(counts).toEqual([
      [9, 16, 15],
      [12, 19, 19],
      [9, 15, 16],
    ]);
  });

  it('puts every row in every column when asked, even for a row far smaller than the rest', () => {
    const counts = apportion([100, 3], [40, 40, 23], [1, 1]);
    expect(counts[1]).toEqual([1, 1, 1]);
  });

  it('meets every row and column total exactly, with each cell within one unit of its running quota', () => {
    const rows = fc.array(fc.integer({ min: 4, max: 200 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        rows,
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }),
        (rowTotals, weights) => {
          const total = sum(rowTotals);
          const columns = Math.min(weights.length, Math.min(...rowTotals));
          const share = weights.slice(0, columns);
          const sizes = share.map((weight) => Math.floor((total * weight) / sum(share)));
          sizes[0] = (sizes[0] ?? 0) + total - sum(sizes);
          const counts = apportion(
            rowTotals,
            sizes,
            rowTotals.map(() => 0),
          );
          counts.forEach((row, index) => {
            expect(sum(row)).toBe(rowTotals[index]);
          });
          sizes.forEach((size, column) => {
            expect(sum(counts.map((row) => row[column] ?? 0))).toBe(size);
          });
          // Cumulative rounding: a row's running count stays within one of its exact running quota.
          counts.forEach((row, index) => {
            let running = 0;
            let through = 0;
            row.forEach((count, column) => {
              running += count;
              through += sizes[column] ?? 0;
              expect(Math.abs(running - ((rowTotals[index] ?? 0) * through) / total)).toBeLessThan(1);
            });
          });
        },
      ),
    );
  });
});

describe('evenSplit', () => {
  it('splits as evenly as possible, the larger parts first', () => {
    expect(evenSplit(10, 3)).toEqual([4, 3, 3]);
    expect(evenSplit(2, 3)).toEqual([1, 1, 0]);
  });
});
