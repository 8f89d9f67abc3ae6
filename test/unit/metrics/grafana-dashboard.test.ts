import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WaveMetrics } from '../../../src/observers/metrics/wave-metrics.js';

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
}

describe('the Grafana dashboard', () => {
  it('queries only metrics dbwave exports, on its campaign, wave and class variables', async () => {
    const dashboard = JSON.parse(await readFile('dashboards/grafana-dbwave.json', 'utf8')) as {
      panels: Panel[];
    };
    const exported = new WaveMetrics({ campaign: 'x', classOf: () => 'y' }).registry
      .getMetricsAsArray()
      .map((metric) => metric.name);
    const queried = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    expect(queried.length).toBeGreaterThan(10);
    for (const expr of queried) {
      for (const [name] of expr.matchAll(/dbwave_[a-z0-9_]+/g)) {
        expect(exported, `${name} in ${expr}`).toContain(name.replace(/_(bucket|sum|count)$/, ''));
      }
      expect(expr).toContain('campaign="$campaign"');
    }
  });
});
