import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveMetrics } from '../../../src/observers/metrics/metrics-server.js';
import { TextfileWriter } from '../../../src/observers/metrics/textfile-writer.js';
import { WaveMetrics } from '../../../src/observers/metrics/wave-metrics.js';
import { healthyWave } from '../report/synthetic-journal.js';
import { find, parseExposition } from './exposition.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'dbwave-metrics-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function fedMetrics(): WaveMetrics {
  const metrics = new WaveMetrics({ campaign: 'fleet-5158', classOf: () => 'ix-6' });
  for (const record of healthyWave().records) metrics.observe(record);
  return metrics;
}

describe('the metrics textfile', () => {
  it('holds the whole registry in the textfile format, and no temporary file is left beside it', async () => {
    const metrics = fedMetrics();
    const path = join(directory, 'dbwave.prom');
    const writer = new TextfileWriter(path, () => metrics.text());
    await writer.update();
    const samples = parseExposition(await readFile(path, 'utf8'));
    expect(find(samples, 'dbwave_servers', { state: 'Upgraded' })[0]?.value).toBe(3);
    expect(await readdir(directory)).toEqual(['dbwave.prom']);
    expect(writer.error).toBeUndefined();
  });

  it('coalesces updates asked for during a write into one more write with the newest text', async () => {
    let renders = 0;
    const writer = new TextfileWriter(join(directory, 'x.prom'), async () => {
      renders += 1;
      return `dbwave_test ${renders}\n`;
    });
    await Promise.all([writer.update(), writer.update(), writer.update()]);
    expect(renders).toBe(2);
    expect(await readFile(join(directory, 'x.prom'), 'utf8')).toBe('dbwave_test 2\n');
  });

  it('reports a write that fails instead of throwing', async () => {
    const writer = new TextfileWriter(join(directory, 'missing', 'x.prom'), async () => 'dbwave_test 1\n');
    await writer.update();
    expect(writer.error).toBeInstanceOf(Error);
  });
});

describe('the /metrics endpoint', () => {
  it('serves the registry on loopback and nothing else', async () => {
    const server = await serveMetrics({ registry: fedMetrics().registry, port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const samples = parseExposition(await response.text());
      expect(find(samples, 'dbwave_window_503_seconds_count')).toHaveLength(3);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
