import { createRequire } from 'node:module';

type YamlPackage = typeof import('yaml');

let loaded: YamlPackage | undefined;

/**
 * The yaml package, loaded on first use. A file in the plain subset (yaml-fast-path.ts) and a plan
 * the fast writer takes never need it, and loading its seventy-odd modules was a tenth of a
 * 1,000-server `dbwave check`; it is needed for a file outside the subset, an error's line, or a
 * plan value that needs quoting. Under Node the package is CommonJS (its `node` export), so a
 * synchronous `require` returns the same instance a static `import` of it does.
 */
export function yamlPackage(): YamlPackage {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlPackage;
  return loaded;
}
