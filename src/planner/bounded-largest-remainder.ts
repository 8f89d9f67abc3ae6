/**
 * Rounds quotas `numerators[i] / denominator` to whole numbers that add up to `total`, each kept
 * within `[lower[i], upper[i]]`, by the largest remainder method: everyone gets the floor of their
 * quota, and the units still missing go to the largest fractional parts (ties to the lower index,
 * so the result is deterministic). Integer arithmetic only: no floating point drift between runs.
 *
 * The caller guarantees feasibility: `sum(lower) <= total <= sum(upper)` and `lower <= upper`.
 */
export function boundedLargestRemainder(
  numerators: readonly number[],
  denominator: number,
  lower: readonly number[],
  upper: readonly number[],
  total: number,
): number[] {
  const counts = numerators.map((numerator, index) =>
    clamp(Math.floor(numerator / denominator), lower[index] ?? 0, upper[index] ?? 0),
  );
  let missing = total - sum(counts);
  const remainder = (index: number): number => (numerators[index] ?? 0) - (counts[index] ?? 0) * denominator;
  const indexes = counts.map((_, index) => index);

  while (missing > 0) {
    const open = indexes.filter((index) => (counts[index] ?? 0) < (upper[index] ?? 0));
    if (open.length === 0) throw new Error('largest remainder: total above the sum of upper bounds');
    open.sort((left, right) => remainder(right) - remainder(left) || left - right);
    for (const index of open) {
      if (missing === 0) break;
      counts[index] = (counts[index] ?? 0) + 1;
      missing -= 1;
    }
  }
  while (missing < 0) {
    const open = indexes.filter((index) => (counts[index] ?? 0) > (lower[index] ?? 0));
    if (open.length === 0) throw new Error('largest remainder: total below the sum of lower bounds');
    open.sort((left, right) => remainder(left) - remainder(right) || right - left);
    for (const index of open) {
      if (missing === 0) break;
      counts[index] = (counts[index] ?? 0) - 1;
      missing += 1;
    }
  }
  return counts;
}

function clamp(value: number, lower: number, upper: number): number {
  return Math.min(Math.max(value, lower), upper);
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
