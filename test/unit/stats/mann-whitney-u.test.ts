import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mannWhitneyU, midranks } from '../../../src/stats/compare/mann-whitney-u.js';

/** The textbook definition, by brute force: every way to split the pooled ranks into n1 and n2. */
function enumeratedPValue(first: number[], second: number[]): number {
  const { ranks } = midranks([...first, ...second]);
  const observed = ranks.slice(0, first.length).reduce((a, b) => a + b, 0);
  let lower = 0;
  let upper = 0;
  let total = 0;
  const choose = (start: number, left: number, sum: number): void => {
    if (left === 0) {
      total++;
      if (sum <= observed + 1e-9) lower++;
      if (sum >= observed - 1e-9) upper++;
      return;
    }
    for (let index = start; index <= ranks.length - left; index++)
      choose(index + 1, left - 1, sum + (ranks[index] ?? 0));
  };
  choose(0, first.length, 0);
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}

describe('the Mann-Whitney U test', () => {
  it('gives U = 0 and p = 0.1 for two completely separated samples of three (R: wilcox.test)', () => {
    const result = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(result?.u).toBe(0);
    expect(result?.uOther).toBe(9);
    expect(result?.method).toBe('exact');
    expect(result?.pValue).toBeCloseTo(0.1, 10);
  });

  it("matches Hollander & Wolfe's example in R's wilcox.test docs: W = 35, one-sided p = 0.1272", () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const result = mannWhitneyU(x, y);
    expect(result?.u).toBe(35);
    // Two-sided: twice R's one-sided 0.1272 (382 of the 3003 splits lie at or beyond W = 35).
    expect(result?.pValue).toBeCloseTo(2 * (382 / 3003), 10);
    expect(result?.pValue).toBeCloseTo(0.2544, 4);
  });

  it('gives tied values the mean of their ranks', () => {
    expect(midranks([1, 2, 2, 3, 2, 3, 4, 5]).ranks).toEqual([1, 3, 3, 5.5, 3, 5.5, 7, 8]);
    expect(midranks([1, 2, 2, 3, 2, 3, 4, 5]).tieGroupSizes).toEqual([1, 3, 2, 1, 1]);
  });

  it('counts a tie as half a win in U, and is exact with ties (hand-computed: 14 of 70 splits)', () => {
    // x = 1,2,2,3 against y = 2,3,4,5: midranks 1,3,3,5.5 | 3,5.5,7,8; R1 = 12.5, U = 12.5 - 10 = 2.5.
    const result = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
    expect(result?.u).toBe(2.5);
    expect(result?.pValue).toBeCloseTo(14 / 70, 10);
  });

  it('corrects the normal approximation for ties and continuity (hand-computed z = 1.4884, p = 0.1367)', () => {
    // mu = 8; tie term (3^3 - 3) + (2^3 - 2) = 30; var = 16/12 * (9 - 30/56) = 11.2857;
    // z = (|2.5 - 8| - 0.5) / sqrt(11.2857) = 1.48835; p = 2 * (1 - Phi(z)).
    const result = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5], { exactUpTo: 0 });
    expect(result?.method).toBe('normal');
    expect(result?.z).toBeCloseTo(1.48835, 4);
    expect(result?.pValue).toBeCloseTo(0.13666, 4);
  });

  it('agrees with brute-force enumeration on small samples with and without ties', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(sample, sample, (first, second) => {
        const result = mannWhitneyU(first, second);
        expect(result?.pValue).toBeCloseTo(enumeratedPValue(first, second), 9);
        expect((result?.u ?? 0) + (result?.uOther ?? 0)).toBe(first.length * second.length);
      }),
    );
  });

  it('is close to the exact test when the normal approximation is used on larger samples', () => {
    const first = Array.from({ length: 20 }, (_, index) => index * 1.3);
    const second = Array.from({ length: 20 }, (_, index) => index * 1.3 + 6.1);
    const exact = mannWhitneyU(first, second);
    const normal = mannWhitneyU(first, second, { exactUpTo: 0 });
    expect(exact?.pValue).toBeLessThan(0.05);
    expect(Math.abs((exact?.pValue ?? 0) - (normal?.pValue ?? 1))).toBeLessThan(0.005);
  });

  it('says when the samples are too few to ever reach significance', () => {
    expect(mannWhitneyU([1, 2], [3, 4])?.minimumPValue).toBeCloseTo(2 / 6, 10);
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])?.minimumPValue).toBeCloseTo(2 / 252, 10);
  });

  it('gives p = 1 when every value is the same', () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3])?.pValue).toBe(1);
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3], { exactUpTo: 0 })?.pValue).toBe(1);
  });

  it('has nothing to say about an empty sample', () => {
    expect(mannWhitneyU([], [1, 2])).toBeUndefined();
    expect(mannWhitneyU([1], [Number.NaN])).toBeUndefined();
  });
});
