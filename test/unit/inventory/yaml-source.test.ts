import { describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../../src/inventory/yaml-source.js';
import { zodInputIssues } from '../../../src/inventory/zod-input-issues.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';

const CAMPAIGN = `campaign: c
fleet: fleet
timezone: UTC
from: { version: "1" }
to: { version: "2" }
window:
  start: "09:00"
  end: "17:00"
waves:
  - date: 2011-09-20
    size: 10
  - dates: 2011-09-21..2011-09-22
    size: rest
`;

describe('parseYamlSource', () => {
  it('finds the line of a nested key, and of the mapping a missing key belongs in', () => {
    const source = parseYamlSource(CAMPAIGN, 'c.yaml');
    expect(source.lineOf(['window', 'end'])).toBe(8);
    expect(source.lineOf(['waves', 1, 'size'])).toBe(13);
    expect(source.lineOf(['waves', 1, 'nothing'])).toBe(12);
  });

  it('keeps unquoted dates as strings (YAML 1.2)', () => {
    const source = parseYamlSource(CAMPAIGN, 'c.yaml');
    expect((source.value as { waves: { date: unknown }[] }).waves[0]?.date).toBe('2011-09-20');
  });

  it('reports a syntax error with its line and no multi-line excerpt', () => {
    const source = parseYamlSource('a: 1\nb: [1, 2\nc: 3\n', 'x.yaml');
    expect(source.issues).toHaveLength(1);
    expect(source.issues[0]?.message).toMatch(/^YAML syntax error: [^\n]+$/);
    expect(source.issues[0]?.line).toBeGreaterThanOrEqual(2);
  });
});

describe('zodInputIssues', () => {
  it('accepts dates quoted or not', () => {
    const quoted = parseYamlSource(CAMPAIGN.replace('date: 2011-09-20', 'date: "2011-09-20"'), 'c.yaml');
    expect(campaignSchema.safeParse(quoted.value).success).toBe(true);
  });

  it('words a union failure by its closest branch, at the right line', () => {
    const source = parseYamlSource(CAMPAIGN.replace('size: 10', 'size: lots'), 'c.yaml');
    const parsed = campaignSchema.safeParse(source.value);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(zodInputIssues(parsed.error, source)).toEqual([
      {
        file: 'c.yaml',
        key: 'waves.0.size',
        line: 11,
        message: 'must be a count, a percentage such as "25%", or rest',
      },
    ]);
  });
});
