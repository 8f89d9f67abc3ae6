// The last step of `npm run build` (scripts/bundle-cli.mjs runs it as its own process):
// `node scripts/warm-code-cache.mjs BUNDLE CAMPAIGN` runs the bundled CLI's `plan` of CAMPAIGN,
// then `check` and `show` of that plan, in this one process, and writes the code cache V8 holds for
// the bundle afterwards beside it (src/cli/code-cached-bundle.ts names the file). A cache taken
// right after compiling holds little more than the top level; one taken after these runs holds
// every function they called, which a DBA's planning commands then do not compile again.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheFile, compileBundle, runBundle } from '../dist/cli/code-cached-bundle.js';

const [bundleFile, campaignFile] = process.argv.slice(2);
if (bundleFile === undefined || campaignFile === undefined) {
  process.stderr.write('usage: node scripts/warm-code-cache.mjs BUNDLE CAMPAIGN\n');
  process.exit(2);
}

const workDir = mkdtempSync(join(tmpdir(), 'dbwave-warm-up-'));
const planFile = join(workDir, 'warm-up.plan.yaml');
const commands = [
  ['plan', campaignFile, '--out', planFile],
  ['check', planFile],
  ['show', planFile],
];
const script = compileBundle(bundleFile);

/** The next command, once the one before has finished (node is about to exit) and succeeded. */
function runNext() {
  const args = commands.shift();
  if (args === undefined || (process.exitCode ?? 0) !== 0) return;
  process.argv = [process.execPath, bundleFile, ...args];
  runBundle(script, bundleFile);
}

process.on('beforeExit', runNext);
process.on('exit', (code) => {
  rmSync(workDir, { recursive: true, force: true });
  if (code !== 0) return;
  if (commands.length > 0) {
    // A command that ended the process itself would leave a cache of part of the warm-up, and the
    // build would not know: it fails instead.
    process.stderr.write(`warm-up: the process ended before \`${commands[0].join(' ')}\` ran\n`);
    process.exitCode = 1;
    return;
  }
  // Renamed into place: a dbwave started meanwhile reads the old cache or the new, never half.
  const cacheFile = codeCacheFile(bundleFile);
  writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
});
runNext();
