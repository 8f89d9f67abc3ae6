import { describe, expect, it } from 'vitest';
import { unlocatedSources } from '../../../src/core/source-locator.js';
import { waveSizes } from '../../../src/planner/wave-sizes.js';
import { campaign } from './random-fleet.js';

const sizesOf = (sizes: readonly (number | string)[], fleet: number) =>
  waveSizes(
    campaign(sizes.map((size, index) => ({ date: `2011-09-2${index}`, size }))),
    fleet,
    unlocatedSources,
  );

describe('waveSizes', () => {
  it('gives the rest wave what the others leave', () => {
    expect(sizesOf([30, 50, 'rest'], 130).sizes).toEqual([30, 50, 50]);
  });

  it('takes a percentage of the fleet, rounded half up', () => {
    expect(sizesOf(['25%', 'rest'], 130).sizes).toEqual([33, 97]);
  });

  it('refuses sizes beyond the fleet', () => {
    expect(sizesOf([100, 50], 130).issues[0]?.message).toBe(
      'the waves ask for 150 servers, but the fleet holds 130',
    );
  });

  it('refuses servers left in no wave when no wave takes the rest', () => {
    expect(sizesOf([30, 50], 130).issues[0]?.message).toMatch(
      /^50 of the fleet's 130 servers are in no wave/,
    );
  });

  it('refuses two rest waves, naming the second', () => {
    const { issues } = sizesOf([30, 'rest', 'rest'], 130);
    expect(issues.map((issue) => issue.key)).toEqual(['waves.2.size']);
  });

  it('refuses an empty rest', () => {
    expect(sizesOf([130, 'rest'], 130).issues[0]?.message).toMatch(/rest is empty/);
  });
});
