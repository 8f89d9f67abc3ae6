import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignAdapters } from '../../../src/app/campaign-adapters.js';
import { runWaveCommand } from '../../../src/app/run-wave-command.js';
import { ExitStatus, exitStatusFor } from '../../../src/core/errors.js';
import { plannedCampaign, services } from './fakes/cli-harness.js';

describe('dbwave run with the user’s ssh_config', () => {
  it('stops at a mistake in ssh_config with its file, line and keyword: exit 2, no server touched', async () => {
    const { dir, plan } = await plannedCampaign();
    await writeFile(join(dir, 'ssh_config'), 'Host db*\n  User dba\n  ProxyJump bastion:twenty-two\n');
    await appendFile(join(dir, 'campaign.yaml'), 'ssh: {config: ssh_config, knownHosts: known_hosts}\n');
    const { services: s, fleet } = services(dir, {
      adapters: (campaign, campaignFile) => campaignAdapters({ campaign, campaignFile, env: {} }),
    });
    let caught: unknown;
    try {
      await runWaveCommand({ plan, wave: 1, yes: true }, s);
    } catch (error) {
      caught = error;
    }
    expect(exitStatusFor(caught)).toBe(ExitStatus.InvalidInput);
    expect((caught as Error).message).toBe(
      `${join(dir, 'ssh_config')}:line 3: ProxyJump: hop 1 ("bastion:twenty-two"): port "twenty-two" is not 1-65535`,
    );
    expect(fleet.hosts.size).toBe(0);
    expect(await readdir(join(dir, '.dbwave', 'test')).catch(() => [])).not.toContain('journal.jsonl');
  });
});
