import { describe, expect, it } from 'vitest';
import { bestMakespan } from '../../../scripts/bench/best-makespan.js';

describe('the best packing of a wave, the floor its wall time is judged against', () => {
  it('is the work shared by the slots when whole servers can share it evenly', () => {
    expect(bestMakespan([1, 1, 1, 1], 2)).toBe(2);
    expect(bestMakespan([3, 3, 2, 2, 2], 2)).toBe(6);
  });

  it('is above servers / slots x mean when whole servers cannot', () => {
    // Six servers on three slots: the best pairs are 5.1+3.7, 4.4+4.1, 4.4+3.7.
    expect(bestMakespan([3.7, 4.4, 5.1, 4.1, 3.7, 4.4], 3)).toBeCloseTo(8.8);
    expect(bestMakespan([10, 1, 1], 2)).toBe(10);
  });
});
