import { describe, expect, it } from 'vitest';
import { dryRunLines } from '../../../src/engine/host-commands/dry-run.js';
import { fakeCampaign } from './fakes/fake-campaign.js';
import { fakeServer } from './fakes/fake-fleet.js';

describe('the dry run of a server', () => {
  it('shows the error-log read quoted once, as the precheck sends it', () => {
    const lines = dryRunLines(fakeServer('db1', { errorLog: "/var/log/it's.err" }), fakeCampaign(), 'w.yaml');
    expect(lines).toContain("db1  precheck        [ssh 10.0.0.3:22] stat -c %s -- '/var/log/it'\\''s.err'");
  });

  it('names the server variable it would read for an error log it does not know yet', () => {
    const lines = dryRunLines(fakeServer('db1', { errorLog: undefined }), fakeCampaign(), 'w.yaml');
    expect(lines).toContain('db1  precheck        [ssh 10.0.0.3:22] stat -c %s -- <@@log_error>');
  });
});
