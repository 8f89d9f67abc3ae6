import type { InputIssue } from '../core/errors.js';
import { issueAt, type SourceLocator } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';

export interface WaveSizes {
  /** Servers per wave, in wave order; valid only when `issues` is empty. */
  readonly sizes: readonly number[];
  readonly issues: readonly InputIssue[];
}

/**
 * Turns each wave's `size` (N, "P%" of the fleet, or `rest`) into a count of servers. A
 * percentage rounds half up; `rest` takes what the other waves leave. Every size must be met
 * exactly: more than the fleet, servers left over with no `rest`, or two `rest` waves are errors.
 */
export function waveSizes(campaign: Campaign, fleetSize: number, sources: SourceLocator): WaveSizes {
  const issues: InputIssue[] = [];
  const at = (key: readonly (string | number)[], message: string): void => {
    issues.push(issueAt(sources.campaign(key), key, message));
  };
  const sizes: number[] = [];
  let restIndex: number | undefined;
  campaign.waves.forEach((spec, index) => {
    const size = spec.size;
    if (size === 'rest') {
      if (restIndex !== undefined) {
        at(
          ['waves', index, 'size'],
          `only one wave may take the rest, and wave ${restIndex + 1} already does`,
        );
      } else {
        restIndex = index;
      }
      sizes.push(0);
    } else if (typeof size === 'number') {
      sizes.push(size);
    } else {
      const percent = Number.parseFloat(size);
      if (percent <= 0 || percent > 100) at(['waves', index, 'size'], `${size} is not a share of the fleet`);
      sizes.push(Math.round((fleetSize * percent) / 100));
    }
  });
  const fixed = sizes.reduce((total, size) => total + size, 0);
  if (fixed > fleetSize) {
    at(['waves'], `the waves ask for ${fixed} servers, but the fleet holds ${fleetSize}`);
  } else if (restIndex === undefined && fixed < fleetSize) {
    at(
      ['waves'],
      `${fleetSize - fixed} of the fleet's ${fleetSize} servers are in no wave: give one wave size: rest, or grow the sizes`,
    );
  } else if (restIndex !== undefined) {
    const rest = fleetSize - fixed;
    if (rest === 0)
      at(
        ['waves', restIndex, 'size'],
        `rest is empty: the other waves already take all ${fleetSize} servers`,
      );
    sizes[restIndex] = rest;
  }
  return { sizes, issues };
}
