import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

interface Diagnostic {
  readonly category: string;
  readonly message: string;
  readonly location: { readonly path: string };
}

/**
 * The layer rule of docs/architecture.md is the project's biome.json: here it lints probe files
 * laid out as src/ is, so a rule that stopped biting (a renamed folder, a pattern that no longer
 * matches) fails this test rather than passing every import silently.
 */
describe('the layer rule', () => {
  let dir: string;
  let diagnostics: Diagnostic[] = [];
  const probes: Record<string, string> = {
    'src/engine/up-to-app.ts': "import { runWaveCommand } from '../app/run-wave-command.js';",
    'src/engine/steps/up-to-report.ts':
      "import { buildWaveReport } from '../../report/build-wave-report.js';",
    'src/model/up-to-planner.ts': "import { planWaves } from '../planner/plan-waves.js';",
    'src/core/up-to-model.ts': "import { campaignSchema } from '../model/campaign-schema.js';",
    'src/cli/commands/past-app.ts': "import { loadPlan } from '../../inventory/load-plan.js';",
    'src/analysis/up-to-probes.ts': "import { runReadinessGates } from '../gates/probes/readiness-gates.js';",
    'src/planner/io.ts': "import { readFile } from 'node:fs/promises';",
    'src/engine/down-to-model.ts': "import { campaignSchema } from '../model/campaign-schema.js';",
    'src/app/down-to-engine.ts': "import { runWave } from '../engine/wave/wave-runner.js';",
    'src/gates/probes/down-to-analysis.ts': "import { innodbGate } from '../../analysis/innodb-gate.js';",
    'src/importers/up-to-app.ts': "import { importServers } from '../app/import-inventory.js';",
    'src/inventory/up-to-importers.ts': "import { placeServers } from '../importers/place-servers.js';",
    'src/importers/sideways-to-inventory.ts':
      "import { readBoundedText } from '../inventory/read-bounded-text.js';",
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dbwave-layers-'));
    const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
    config.vcs = { enabled: false };
    delete config.$schema;
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
    for (const [path, line] of Object.entries(probes)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      const name = /import \{ (\w+) \}/.exec(line)?.[1] ?? 'x';
      writeFileSync(join(dir, path), `${line}\nexport const probe = ${name};\n`);
    }
    let output: string;
    try {
      output = execFileSync(BIOME, ['lint', '--only=style/noRestrictedImports', '--reporter=json', 'src'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (error) {
      output = String((error as { stdout?: unknown }).stdout ?? '');
    }
    diagnostics = (JSON.parse(output) as { diagnostics: Diagnostic[] }).diagnostics;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = (path: string): string[] =>
    diagnostics
      .filter((diagnostic) => diagnostic.location.path === path)
      .map((diagnostic) => diagnostic.message);

  it.each([
    'src/engine/up-to-app.ts',
    'src/engine/steps/up-to-report.ts',
    'src/model/up-to-planner.ts',
    'src/core/up-to-model.ts',
    'src/cli/commands/past-app.ts',
    'src/analysis/up-to-probes.ts',
    'src/planner/io.ts',
    'src/importers/up-to-app.ts',
    'src/inventory/up-to-importers.ts',
  ])('refuses %s', (path) => {
    expect(refused(path).length).toBeGreaterThan(0);
  });

  it.each([
    'src/engine/down-to-model.ts',
    'src/app/down-to-engine.ts',
    'src/gates/probes/down-to-analysis.ts',
    'src/importers/sideways-to-inventory.ts',
  ])('accepts %s', (path) => {
    expect(refused(path)).toEqual([]);
  });
});
