import { describe, expect, it } from 'vitest';
import { decideInconclusive } from '../../../src/gates/inconclusive-decision.js';

describe('deciding an inconclusive verdict', () => {
  it('follows the campaign when nobody is at a terminal', async () => {
    expect(await decideInconclusive('rollback')).toEqual({ action: 'rollback', by: 'campaign' });
    expect(await decideInconclusive('pause')).toEqual({ action: 'pause', by: 'campaign' });
  });

  it('lets the DBA at a terminal choose, whatever the campaign says', async () => {
    expect(await decideInconclusive('pause', async () => 'continue')).toEqual({
      action: 'continue',
      by: 'operator',
    });
  });

  it('falls back to the campaign when the DBA gives no answer', async () => {
    expect(await decideInconclusive('continue', async () => undefined)).toEqual({
      action: 'continue',
      by: 'campaign',
    });
  });
});
