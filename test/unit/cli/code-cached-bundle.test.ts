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
import { cacheVerdictInFreshNode } from '../../support/code-cache-probe.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const STARTER = pathToFileURL(join(ROOT, 'src', 'cli', 'code-cached-bundle.ts')).href;

/** Whether a fresh node accepts `cacheFile` for `bundle`, compiled by this source's starter. */
function acceptedInFreshNode(bundle: string, cacheFile: string): boolean {
  return cacheVerdictInFreshNode(STARTER, bundle, cacheFile, { cwd: ROOT, nodeArgs: ['--import', 'tsx'] })
    .accepted;
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
