// The second half of `npm run build`: bundles tsc's output, dist/cli/main.js and every module it
// imports, into one CommonJS script, dist/cli/dbwave.cjs, and leaves V8's code cache of it from a
// warm-up run (scripts/warm-code-cache.mjs); dist/cli/main.js, still the package's bin, becomes the
// few lines that start it (src/cli/code-cached-bundle.ts). Node 20 reads, resolves and compiles
// each ES module on its own, and compiles every function again on its first call in each run: a
// 1,000-server `plan` loaded 240 modules (95 of zod's), about a fifth of its CPU time, and then
// compiled what it called, about a tenth (docs/bench.md, 1b, "Fifth pass", "Sixth pass").
// Bundling changes no code path: the input is tsc's JavaScript, and each handler's app/ module
// still runs its top level only when the handler imports it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const entry = join(outdir, 'main.js');
const bundleFile = join(outdir, 'dbwave.cjs');
/** The bin that starts the bundle, written over tsc's main.js once that is bundled. */
const STARTER = `#!/usr/bin/env node
// Written by scripts/bundle-cli.mjs: the CLI is dbwave.cjs, started from V8's code cache.
import { fileURLToPath } from 'node:url';
import { startBundledCli } from './code-cached-bundle.js';

startBundledCli(fileURLToPath(new URL('./dbwave.cjs', import.meta.url)));
`;
/** The warm-up's fleet: the repository's own example campaign, 130 servers in 3 classes. */
const WARM_UP_CAMPAIGN = join(root, 'waves', 'mysql-5.1.58.yaml');

/**
 * Left to node at run time: packages with native add-ons (ssh2's optional cpu-features), with
 * requires esbuild cannot follow, or that only the fleet-touching commands load (their start-up
 * is not what a DBA waits for). `yaml` is required through createRequire on demand
 * (src/inventory/yaml-package.ts), which esbuild leaves alone.
 */
const EXTERNAL = ['ssh2', 'node-ssh', 'mysql2', 'cpu-features', 'prom-client', 'testcontainers'];

/**
 * yargs finds its locale files (`LANG=de_DE dbwave --help` prints "Kommandos:") and the
 * package.json that `--version` prints from the path of its own module. In a bundle that path
 * would be the chunk's, so its platform shim gets the path the unbundled module has: resolved at
 * run time from where yargs is installed beside dbwave.
 */
const YARGS_SHIM = /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;
const YARGS_SHIM_PATH = 'const __dirname = fileURLToPath(import.meta.url);';
const yargsShimPath = {
  name: 'yargs-shim-path',
  setup(bundle) {
    bundle.onLoad({ filter: YARGS_SHIM }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (!source.includes(YARGS_SHIM_PATH)) {
        throw new Error(`${path} no longer contains "${YARGS_SHIM_PATH}": check how yargs finds its locales`);
      }
      const installed =
        "const __dirname = join(dirname(createRequire(import.meta.url).resolve('yargs/package.json')), 'lib', 'platform-shims', 'esm.mjs');";
      return { contents: source.replace(YARGS_SHIM_PATH, installed), loader: 'js' };
    });
  },
};

/**
 * string-width (through yargs' help layout) builds an `Intl.Segmenter` and an RGI-emoji pattern
 * when it loads, 30-35 ms of ICU data and set building per run (CPU profile of `dbwave
 * --version`), yet only a help or usage text measures a string. Each is built on its first use;
 * a string-width that builds them some other way fails the build rather than go unnoticed.
 */
const STRING_WIDTH = /[\\/]string-width[\\/]index\.js$/;
const DEFERRED = [
  {
    eager: 'const segmenter = new Intl.Segmenter();',
    lazy: 'let segmenterOnce; const segmenter = { segment: (text) => (segmenterOnce ??= new Intl.Segmenter()).segment(text) };',
    marker: 'new Intl.Segmenter',
  },
  {
    eager: 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
    lazy: 'let rgiEmojiOnce; const rgiEmojiRegex = { test: (text) => (rgiEmojiOnce ??= /^\\p{RGI_Emoji}$/v).test(text) };',
    marker: 'RGI_Emoji}$/v',
  },
];
const deferStringWidthSetup = {
  name: 'defer-string-width-setup',
  setup(bundle) {
    bundle.onLoad({ filter: STRING_WIDTH }, ({ path }) => {
      let source = readFileSync(path, 'utf8');
      for (const { eager, lazy, marker } of DEFERRED) {
        if (source.includes(eager)) source = source.replace(eager, lazy);
        else if (source.includes(marker))
          throw new Error(`${path} builds ${marker} in a new way: defer it again`);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * esbuild writes code in ASCII (its `charset` default) but keeps the comments it keeps as they
 * are, a few dashes and luxon's examples in Arabic or Burmese. Escaped too, they leave the bundle
 * all ASCII, which the starter reads as one-byte text instead of decoding 2.7 MB of UTF-8 (10 ms
 * of every run). An escape means the same character in a string, a regular expression or a name.
 */
function asciiOnly(text) {
  return text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

if (readFileSync(entry, 'utf8').includes('startBundledCli(')) {
  throw new Error(
    `${entry} is the starter of an earlier bundle, not tsc's output: run tsc -p tsconfig.build.json first`,
  );
}

const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: bundleFile,
  external: EXTERNAL,
  // The one use of import.meta left in a CommonJS script (yaml-package.ts's and the yargs shim's
  // createRequire): the bundle's own URL, as each chunk's was when the bundle was ES modules.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // esbuild follows tsc's source maps, so these map back to src/.
  sourcemap: 'linked',
  plugins: [yargsShimPath, deferStringWidthSetup],
  write: false,
  logLevel: 'warning',
});

rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
for (const file of result.outputFiles) {
  // main.ts's `#!` line would end the function node wraps a CommonJS script in; a comment in its
  // place keeps the source map's line numbers.
  const text = file.path === bundleFile ? asciiOnly(file.text.replace(/^#!.*/, '//')) : file.text;
  writeFileSync(file.path, text);
}
writeFileSync(entry, STARTER, { mode: 0o755 });
// Caches of earlier bundles, or of another node's V8: none of them fits the bundle just written.
for (const name of readdirSync(outdir)) {
  if (name.startsWith('dbwave.cjs.') && name.endsWith('.cache')) rmSync(join(outdir, name));
}

const warmUp = spawnSync(
  process.execPath,
  [join(root, 'scripts', 'warm-code-cache.mjs'), bundleFile, WARM_UP_CAMPAIGN],
  { cwd: root, encoding: 'utf8' },
);
if (warmUp.status !== 0) {
  process.stderr.write(`${warmUp.stdout}${warmUp.stderr}`);
  throw new Error(`the code cache's warm-up run of ${bundleFile} failed (exit ${warmUp.status})`);
}
