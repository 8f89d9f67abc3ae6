import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COMMANDS = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'commands');
/** App modules a command may load at start: they import no adapter, renderer or schema. */
const LIGHT_APP_MODULES = new Set(['command-services.js', 'report-formats.js']);

describe('command modules', () => {
  it('import their app module only when their command runs, so that plan, check and show start light', () => {
    const eager = readdirSync(COMMANDS).flatMap((file) => {
      const source = readFileSync(join(COMMANDS, file), 'utf8');
      return [...source.matchAll(/^import (?!type )[^;]*?from '\.\.\/\.\.\/app\/([^']+)'/gm)]
        .map((match) => match[1] ?? '')
        .filter((module) => !LIGHT_APP_MODULES.has(module))
        .map((module) => `${file} imports app/${module} at start`);
    });
    expect(eager).toEqual([]);
  });
});
