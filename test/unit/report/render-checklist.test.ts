import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../src/model/campaign-schema.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';
import type { HardwareClass } from '../../../src/model/hardware-class-schema.js';
import { serverResolver } from '../../../src/model/resolve-server.js';
import { renderChecklist } from '../../../src/report/render-checklist.js';

const hardwareClass: HardwareClass = {
  id: 'ix-6',
  description: '6-drive iX',
  datacenter: 'phx1',
  drives: 6,
  transport: 'local',
  expected: { shutdown: { p50: 1, p95: 2 }, start: { p50: 1, p95: 2 } },
  servers: [{ name: 'db-a1', host: 'db-a1.example.net', shard: "o'brien" }],
};

function campaignWith(overrides: Record<string, unknown>): Campaign {
  return campaignSchema.parse({
    campaign: 'c',
    fleet: '.',
    timezone: 'UTC',
    from: { version: '1.0' },
    to: { version: '2.0' },
    window: { start: '09:00', end: '17:00' },
    waves: [{ date: '2011-09-20', size: 1 }],
    commands: {
      stop: 'stop {{name}}',
      start: 'start {{name}}',
      running: 'running',
      installedVersion: 'version',
      upgrade: 'upgrade --shard {{shard}}',
      rollback: 'rollback {{vars.missing}}',
    },
    ...overrides,
  });
}

function checklist(campaign: Campaign): string {
  return renderChecklist({
    campaign,
    campaignFile: 'waves/c.yaml',
    planFile: 'waves/c.plan.yaml',
    timezone: 'UTC',
    wave: {
      index: 1,
      days: [{ date: '2011-09-20', windowStart: '2011-09-20T09:00:00Z', windowEnd: '2011-09-20T17:00:00Z' }],
      servers: [
        { name: 'db-a1', class: 'ix-6', date: '2011-09-20' },
        { name: 'db-gone', class: 'ix-6', date: '2011-09-20' },
      ],
    },
    classes: [hardwareClass],
    servers: serverResolver([hardwareClass], campaign),
  });
}

describe('the checklist', () => {
  const text = checklist(
    campaignWith({ maintenance: { adapter: 'command', open: 'lb off {{shard}}', close: 'lb on {{shard}}' } }),
  );

  it('quotes every value it puts into a command, as dbwave will run it', () => {
    expect(text).toContain(`Upgrade: \`upgrade --shard 'o'\\''brien'\``);
    expect(text).toContain(`Open the 503 window: \`lb off 'o'\\''brien'\` (on this machine)`);
    expect(text).toContain('Commands run on this machine.');
  });

  it('says which template cannot be rendered instead of failing the whole checklist', () => {
    expect(text).toMatch(
      /Rollback: stop if running, \*\*cannot render\*\*: waves\/c\.yaml: commands\.rollback: unknown variable \{\{vars\.missing\}\}/,
    );
  });

  it('flags a planned server the fleet does not have', () => {
    expect(text).toContain('### 2. db-gone (ix-6, 2011-09-20)');
    expect(text).toContain('**Not in the fleet**');
  });

  it('asks for contacts when the campaign names none', () => {
    expect(text).toContain('No contacts in the campaign: add `notify: { contacts: [...] }`');
  });

  it('shows an HTTP window call without the credentials or tokens of its URL', () => {
    const call = { method: 'POST', url: 'https://ops:hunter2@lb.example/api/{{name}}?token=s3cr3t' };
    const http = checklist(campaignWith({ maintenance: { adapter: 'http', open: call, close: call } }));
    expect(http).toContain('Open the 503 window: HTTP POST https://***@lb.example/api/db-a1?token=***');
    expect(http).not.toMatch(/hunter2|s3cr3t/);
  });
});
