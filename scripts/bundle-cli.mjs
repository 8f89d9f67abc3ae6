// The second half of `npm run build`: bundles tsc's output, dist/cli/main.js and every module it
// imports, into dist/cli/main.js (still the package's bin) plus one chunk per command handler's
// lazily imported module and the chunks they share (dist/cli/chunks/). Node 20 reads, resolves and
// compiles each ES module on its own: a 1,000-server `plan` loaded 240 of them (95 of zod's), about
// a fifth of its CPU time (docs/bench.md, 1b, "Fifth pass"). Bundling changes no code path: the
// input is tsc's JavaScript, and each handler still loads its app/ module only when it runs.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const chunksDir = join(outdir, 'chunks');

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

const result = await build({
  entryPoints: [join(outdir, 'main.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  external: EXTERNAL,
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // esbuild follows tsc's source maps, so these map back to src/.
  sourcemap: 'linked',
  plugins: [yargsShimPath, deferStringWidthSetup],
  write: false,
  logLevel: 'warning',
});

// Written only now: the entry read above may itself import chunks of an earlier bundle.
rmSync(chunksDir, { recursive: true, force: true });
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.contents);
}
