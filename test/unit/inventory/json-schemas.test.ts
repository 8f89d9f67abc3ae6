import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonSchemaText, SCHEMA_FILES } from '../../../scripts/write-json-schemas.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('schemas/*.schema.json', () => {
  it.each(SCHEMA_FILES.map((entry) => [entry.file, entry] as const))(
    '%s matches the zod schema it is generated from (run npm run schemas after changing one)',
    async (file, entry) => {
      expect(await readFile(join(ROOT, 'schemas', file), 'utf8')).toBe(jsonSchemaText(entry));
    },
  );

  it('lets editors complete a wave: date or dates, and a size', () => {
    const campaign = JSON.parse(jsonSchemaText(SCHEMA_FILES[0] ?? ({} as never)));
    const wave = campaign.properties.waves.items.anyOf[0];
    expect(wave.required).toEqual(['date', 'size']);
    expect(wave.properties.date).toMatchObject({ type: 'string', format: 'date' });
  });
});
