import { type Campaign, type CampaignFile, campaignSchema } from '../../../../src/model/campaign-schema.js';
import { FROM, TO } from './fake-versions.js';

/** A valid campaign for the fakes, with any key overridden. */
export function fakeCampaign(overrides: Partial<CampaignFile> = {}): Campaign {
  return campaignSchema.parse({
    campaign: 'test',
    fleet: 'hardware-classes',
    timezone: 'UTC',
    from: { version: FROM },
    to: { version: TO, package: `mariadb-server-core=${TO}` },
    window: { start: '00:00', end: '23:59' },
    waves: [{ date: '2026-11-24', size: 'rest' }],
    shutdown: { budget: '10m' },
    preflush: { timeout: '1m', targetDirtyPages: 1000 },
    commands: {
      stop: 'fake stop {{name}}',
      start: 'fake start {{name}}',
      running: 'fake running {{name}}',
      installedVersion: 'fake installed-version {{name}}',
      upgrade: 'fake upgrade {{toPackage}}',
      rollback: 'fake rollback {{name}}',
      postUpgrade: 'fake post-upgrade {{name}}',
    },
    ...overrides,
  } satisfies CampaignFile);
}
