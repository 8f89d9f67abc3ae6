/**
 * Starts the bundled CLI (dist/cli/dbwave.cjs, written by scripts/bundle-cli.mjs) from V8's code
 * cache when one fits this node.
 *
 * Node 20 compiles a script's functions on their first call, every run: for a 1,000-server `plan`
 * that was about a tenth of the process's CPU time (docs/bench.md, 1b, "Sixth pass"), and Node 20
 * has no compile cache of its own for ES modules (`module.enableCompileCache` came in Node 22). So
 * the bundle is one CommonJS script, compiled here through `vm.Script` with the bytecode a warm-up
 * run left at build time (scripts/warm-code-cache.mjs). The cache is read-only at run time: dbwave
 * never writes beside itself. A cache for another V8 (its file name carries the version) is never
 * read; one V8 refuses anyway (other flags, another bundle) costs only the compile it would have
 * cost without a cache.
 */
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** The cache of `bundleFile` for this V8 and this architecture. */
export function codeCacheFile(bundleFile: string): string {
  return `${bundleFile}.${process.arch}-v8-${process.versions.v8}.cache`;
}

/** The bundle as one function of CommonJS's five module arguments, with the cache if given. */
export function compileBundle(bundleFile: string, cachedData?: Buffer): Script {
  return new Script(Module.wrap(sourceOf(bundleFile)), { filename: bundleFile, cachedData });
}

/** The bundle is ASCII (scripts/bundle-cli.mjs): read as such, without decoding UTF-8, when it is. */
function sourceOf(bundleFile: string): string {
  const bytes = readFileSync(bundleFile);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

type ModuleFunction = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

/** Runs the compiled bundle as node runs a CommonJS module: its requires resolve from its folder. */
export function runBundle(script: Script, bundleFile: string): void {
  const module = { exports: {} };
  const moduleFunction = script.runInThisContext() as ModuleFunction;
  moduleFunction(module.exports, createRequire(bundleFile), module, bundleFile, dirname(bundleFile));
}

/** dist/cli/main.js: compile the bundle, from its code cache when there is one, and run it. */
export function startBundledCli(bundleFile: string): void {
  runBundle(compileBundle(bundleFile, cacheIfReadable(codeCacheFile(bundleFile))), bundleFile);
}

/** The cache only saves time: one that is missing or unreadable means compiling, as without it. */
function cacheIfReadable(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}
