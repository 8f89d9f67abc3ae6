import { boundedLargestRemainder, sum } from './bounded-largest-remainder.js';

/**
 * Splits rows (strata: classes, or md layouts inside a class) across columns (waves, or days)
 * so that every column holds each row in proportion to the row's size, with exact row and column
 * totals. Rounds the CUMULATIVE share of each row up to each column (`row × columns so far /
 * total`) rather than each cell on its own: a row's running count never drifts more than one
 * unit from its exact quota, and a small change to the inputs moves each boundary by about one.
 *
 * `minimumPerCell[row]` (0 or more) is honoured in every column: with 1, the row is in every
 * column. The caller guarantees feasibility: each row holds at least `minimum × columns`, and each
 * column at least the sum of the minimums.
 *
 * @returns `counts[row][column]`.
 */
export function apportion(
  rowTotals: readonly number[],
  columnSizes: readonly number[],
  minimumPerCell: readonly number[],
): number[][] {
  const total = sum(rowTotals);
  if (total !== sum(columnSizes)) throw new Error('apportion: row and column totals differ');
  const counts = rowTotals.map(() => columnSizes.map(() => 0));
  if (total === 0) return counts;

  let before = rowTotals.map(() => 0);
  let cumulative = 0;
  columnSizes.forEach((size, column) => {
    cumulative += size;
    const columnsAfter = columnSizes.length - column - 1;
    const lower = before.map((count, row) => count + (minimumPerCell[row] ?? 0));
    const upper = rowTotals.map((rowTotal, row) => rowTotal - (minimumPerCell[row] ?? 0) * columnsAfter);
    const numerators = rowTotals.map((rowTotal) => rowTotal * cumulative);
    const through = boundedLargestRemainder(numerators, total, lower, upper, cumulative);
    through.forEach((count, row) => {
      const cells = counts[row];
      if (cells) cells[column] = count - (before[row] ?? 0);
    });
    before = through;
  });
  return counts;
}

/** `size` split into `parts` as evenly as possible, the larger parts first: 10 / 3 -> 4, 3, 3. */
export function evenSplit(size: number, parts: number): number[] {
  const base = Math.floor(size / parts);
  const extra = size % parts;
  return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0));
}
