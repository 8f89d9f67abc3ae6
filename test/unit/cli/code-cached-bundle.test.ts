import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  codeCacheFile,
  compileBundle,
  runBundle,
  startBundledCli,
} from '../../../src/cli/code-cached-bundle.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const STARTER = pathToFileURL(join(ROOT, 'src', 'cli', 'code-cached-bundle.ts')).href;

/**
 * Whether a fresh node accepts `cacheFile` for `bundle`. A fresh process, because V8 keeps what it
 * compiled for the life of the isolate and would not even look at the cache for a source it has.
 */
function acceptedInFreshNode(bundle: string, cacheFile: string): boolean {
  const probe = [
    "import { readFileSync } from 'node:fs';",
    `import { compileBundle } from ${JSON.stringify(STARTER)};`,
    'const [bundle, cacheFile] = process.argv.slice(1);',
    'console.log(!compileBundle(bundle, readFileSync(cacheFile)).cachedDataRejected);',
  ].join('\n');
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', probe, bundle, cacheFile],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return output.trim() === 'true';
}

/** What a bundle saw of its CommonJS arguments, left on globalThis for the test to read. */
interface Seen {
  filename: string;
  dirname: string;
  resolvedPath: string;
  sum: number;
}
const seen = () => (globalThis as { codeCacheTestSeen?: Seen }).codeCacheTestSeen;

describe('the code-cached bundle starter', () => {
  let dir: string;
  let bundle: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dbwave-code-cache-'));
    bundle = join(dir, 'bundle.cjs');
    writeFileSync(
      bundle,
      [
        "const path = require('node:path');",
        'function add(a, b) { return a + b; }',
        'globalThis.codeCacheTestSeen = {',
        '  filename: __filename, dirname: __dirname,',
        "  resolvedPath: require.resolve('node:path'), sum: add(2, 3),",
        '};',
        'module.exports.ran = true;',
      ].join('\n'),
    );
    delete (globalThis as { codeCacheTestSeen?: Seen }).codeCacheTestSeen;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle as node runs a CommonJS module, with its own file and folder', () => {
    runBundle(compileBundle(bundle), bundle);
    expect(seen()).toEqual({ filename: bundle, dirname: dir, resolvedPath: 'node:path', sum: 5 });
  });

  it('names the cache after the V8 and the architecture it fits', () => {
    expect(codeCacheFile(bundle)).toBe(`${bundle}.${process.arch}-v8-${process.versions.v8}.cache`);
  });

  it('writes a cache after a run that a fresh node accepts, and one for another bundle it refuses', () => {
    const warm = compileBundle(bundle);
    runBundle(warm, bundle);
    writeFileSync(codeCacheFile(bundle), warm.createCachedData());
    expect(acceptedInFreshNode(bundle, codeCacheFile(bundle))).toBe(true);

    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// a later build`);
    expect(acceptedInFreshNode(bundle, codeCacheFile(bundle))).toBe(false);
  });

  it('starts from its cache file, and without one or with a spoilt one just compiles', () => {
    startBundledCli(bundle);
    expect(seen()?.sum).toBe(5);

    const warm = compileBundle(bundle);
    writeFileSync(codeCacheFile(bundle), warm.createCachedData());
    delete (globalThis as { codeCacheTestSeen?: Seen }).codeCacheTestSeen;
    startBundledCli(bundle);
    expect(seen()?.sum).toBe(5);

    // Another source than this process compiled before, so that V8 looks at the spoilt cache.
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// spoilt cache`);
    writeFileSync(codeCacheFile(bundle), 'not a code cache');
    expect(compileBundle(bundle, readFileSync(codeCacheFile(bundle))).cachedDataRejected).toBe(true);
    delete (globalThis as { codeCacheTestSeen?: Seen }).codeCacheTestSeen;
    startBundledCli(bundle);
    expect(seen()?.sum).toBe(5);
  });
});
