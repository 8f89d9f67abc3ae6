import { spawnSync } from 'node:child_process';

/** What a fresh node made of a code cache: whether V8 took it, and anything it printed on stderr. */
export interface CacheVerdict {
  readonly accepted: boolean;
  readonly stderr: string;
}

/**
 * Compiles `bundle` with `cacheFile` through the starter module at `starterUrl` (src/cli/
 * code-cached-bundle.ts, or its build in dist/) in a fresh node, and says whether V8 accepted the
 * cache. A fresh process, because V8 keeps what it compiled for the life of the isolate and would
 * not even look at a cache for a source it already has. `nodeArgs`: `--import tsx` for the source.
 */
export function cacheVerdictInFreshNode(
  starterUrl: string,
  bundle: string,
  cacheFile: string,
  options: { readonly cwd: string; readonly nodeArgs?: readonly string[] },
): CacheVerdict {
  const probe = [
    "import { readFileSync } from 'node:fs';",
    `import { compileBundle } from ${JSON.stringify(starterUrl)};`,
    'const [bundle, cacheFile] = process.argv.slice(1);',
    'console.log(compileBundle(bundle, readFileSync(cacheFile)).cachedDataRejected === false);',
  ].join('\n');
  const child = spawnSync(
    process.execPath,
    [...(options.nodeArgs ?? []), '--input-type=module', '-e', probe, bundle, cacheFile],
    { cwd: options.cwd, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`the cache probe exited ${child.status}: ${child.stderr}`);
  return { accepted: child.stdout.trim() === 'true', stderr: child.stderr };
}
