import { errorFunction } from 'simple-statistics';

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: do two samples come from the same
 * distribution, or does one tend to lie above the other? Rank-based, so it holds for skewed
 * per-second rates and needs no normality, which a handful of samples could never show.
 *
 * Small samples get the exact distribution of the rank sum, conditional on the ties present
 * (every way of choosing n1 of the pooled midranks is counted), so ties need no approximation.
 * Larger ones use the normal approximation with the tie correction of the variance and a
 * continuity correction of 0.5.
 */
export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, a tie counting one half. */
  readonly u: number;
  /** U of the second sample: n1 * n2 - u. */
  readonly uOther: number;
  readonly n1: number;
  readonly n2: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  readonly method: 'exact' | 'normal';
  /** The normal approximation's z (continuity-corrected), when that method was used. */
  readonly z?: number;
  /**
   * The smallest p-value these sample sizes and ties could ever give. Above the significance
   * level the test cannot tell anything, whatever the data: too few samples.
   */
  readonly minimumPValue: number;
}

export interface MannWhitneyOptions {
  /** Use the exact distribution while n1 + n2 is at most this (default 50). */
  readonly exactUpTo?: number;
}

/** undefined when either sample is empty or holds a non-finite number. */
export function mannWhitneyU(
  first: readonly number[],
  second: readonly number[],
  options: MannWhitneyOptions = {},
): MannWhitneyResult | undefined {
  const n1 = first.length;
  const n2 = second.length;
  if (n1 === 0 || n2 === 0 || ![...first, ...second].every(Number.isFinite)) return undefined;
  const { ranks, tieGroupSizes } = midranks([...first, ...second]);
  const rankSumFirst = ranks.slice(0, n1).reduce((sum, rank) => sum + rank, 0);
  const u = rankSumFirst - (n1 * (n1 + 1)) / 2;
  const base = { u, uOther: n1 * n2 - u, n1, n2 };
  if (n1 + n2 <= (options.exactUpTo ?? 50)) {
    const exact = exactPValue(ranks, n1, rankSumFirst);
    return { ...base, method: 'exact', pValue: exact.pValue, minimumPValue: exact.minimumPValue };
  }
  const normal = normalApproximation(u, n1, n2, tieGroupSizes);
  return { ...base, method: 'normal', ...normal };
}

/** Ranks 1..n of the pooled values, tied values sharing the mean of their ranks. */
export function midranks(values: readonly number[]): { ranks: number[]; tieGroupSizes: number[] } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length).fill(0);
  const tieGroupSizes: number[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end++;
    const sharedRank = (start + 1 + end + 1) / 2;
    for (let position = start; position <= end; position++) {
      const entry = order[position];
      if (entry !== undefined) ranks[entry.index] = sharedRank;
    }
    tieGroupSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieGroupSizes };
}

/**
 * Counts, for every possible rank sum, the ways to pick n1 of the pooled ranks: a subset-sum
 * table over doubled midranks (integers even with ties). The distribution is symmetric because
 * midranks are, so the two-sided p-value doubles the smaller tail.
 */
function exactPValue(
  ranks: readonly number[],
  n1: number,
  rankSumFirst: number,
): { pValue: number; minimumPValue: number } {
  const doubled = ranks.map((rank) => Math.round(rank * 2));
  const maxSum = doubled.reduce((sum, rank) => sum + rank, 0);
  const ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  const empty = ways[0];
  if (empty === undefined) throw new Error('unreachable: n1 >= 1');
  empty[0] = 1;
  for (const [index, rank] of doubled.entries()) {
    for (let chosen = Math.min(index + 1, n1); chosen >= 1; chosen--) {
      const from = ways[chosen - 1];
      const to = ways[chosen];
      if (from === undefined || to === undefined) continue;
      for (let sum = maxSum - rank; sum >= 0; sum--) {
        const count = from[sum] ?? 0;
        if (count !== 0) to[sum + rank] = (to[sum + rank] ?? 0) + count;
      }
    }
  }
  const distribution = ways[n1];
  if (distribution === undefined) throw new Error('unreachable: table has n1 + 1 rows');
  const observed = Math.round(rankSumFirst * 2);
  let total = 0;
  let lower = 0;
  let upper = 0;
  let smallestSum = -1;
  for (let sum = 0; sum <= maxSum; sum++) {
    const count = distribution[sum] ?? 0;
    if (count === 0) continue;
    if (smallestSum < 0) smallestSum = sum;
    total += count;
    if (sum <= observed) lower += count;
    if (sum >= observed) upper += count;
  }
  const extreme = distribution[smallestSum] ?? 0;
  return {
    pValue: Math.min(1, (2 * Math.min(lower, upper)) / total),
    minimumPValue: Math.min(1, (2 * extreme) / total),
  };
}

function normalApproximation(
  u: number,
  n1: number,
  n2: number,
  tieGroupSizes: readonly number[],
): { pValue: number; z: number; minimumPValue: number } {
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const tieTerm = tieGroupSizes.reduce((sum, size) => sum + (size ** 3 - size), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { pValue: 1, z: 0, minimumPValue: 1 };
  const sd = Math.sqrt(variance);
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / sd;
  const zMost = Math.max(0, mean - 0.5) / sd;
  return { pValue: twoSidedNormalP(z), z, minimumPValue: twoSidedNormalP(zMost) };
}

/** P(|Z| >= z) for a standard normal Z. */
function twoSidedNormalP(z: number): number {
  const upperTail = 0.5 * (1 - errorFunction(z / Math.SQRT2));
  return Math.min(1, Math.max(0, 2 * upperTail));
}
