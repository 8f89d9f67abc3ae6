import { describe, expect, it } from 'vitest';
import { jsonSchemaText, SCHEMA_FILES } from '../../../scripts/write-json-schemas.js';

/**
 * The dotted path of every property, at any depth (objects, array items, union branches,
 * records' values), whose JSON Schema has no non-empty `description`: what an editor would show
 * on hover over that key in a YAML file.
 */
function propertiesWithoutDescription(node: unknown, path = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => propertiesWithoutDescription(item, path));
  if (typeof node !== 'object' || node === null) return [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value)) {
        const keyPath = path === '' ? name : `${path}.${name}`;
        const description = (property as { description?: unknown }).description;
        if (typeof description !== 'string' || description.trim() === '') missing.push(keyPath);
        missing.push(...propertiesWithoutDescription(property, keyPath));
      }
    } else {
      const step = key === 'items' ? '[]' : key === 'additionalProperties' ? '.*' : '';
      missing.push(...propertiesWithoutDescription(value, `${path}${step}`));
    }
  }
  return missing;
}

describe('descriptions in schemas/*.schema.json', () => {
  it.each(SCHEMA_FILES.map((entry) => [entry.file, entry] as const))(
    '%s describes every key, nested ones included, for editors to show on hover',
    (_file, entry) => {
      const schema: unknown = JSON.parse(jsonSchemaText(entry));
      expect(propertiesWithoutDescription(schema)).toEqual([]);
    },
  );

  it('finds a key without a description however deep it sits', () => {
    const schema = {
      description: 'a file',
      properties: {
        servers: {
          description: 'servers',
          items: { anyOf: [{ properties: { role: { type: 'string' }, name: { description: ' ' } } }] },
        },
      },
    };
    expect(propertiesWithoutDescription(schema)).toEqual(['servers[].role', 'servers[].name']);
  });
});
