import { spawn } from 'node:child_process';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { FleetPaths, REPO_ROOT } from './fleet/fleet-paths.js';

/**
 * `npm run demo`: the local fleet up, its campaign planned, and every wave run with dbwave as a
 * DBA would (`--yes --ignore-date`: a demo does not wait for the calendar), progress printed as it
 * goes, then where the results are. Options:
 *   --reuse       use the fleet that is already up instead of building a fresh one
 *   --servers N   fleet size for a fresh fleet (default 9)
 *   --fault       make one server of the last wave fail to start on the new version (a rollback)
 */

const args = process.argv.slice(2);
const reuse = args.includes('--reuse') || process.env.DBWAVE_FLEET_REUSE === '1';
const withFault = args.includes('--fault');
const serversIndex = args.indexOf('--servers');
const servers = serversIndex >= 0 ? (args[serversIndex + 1] ?? '9') : '9';

function say(text: string): void {
  process.stdout.write(`\n=== ${text}\n`);
}

/** Runs a TypeScript entry point of this repository with tsx; resolves with its exit status. */
function run(script: string, scriptArgs: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...scriptArgs], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const dbwave = (dbwaveArgs: readonly string[]): Promise<number> => run('src/cli/main.ts', dbwaveArgs);
const fleetCli = (fleetArgs: readonly string[]): Promise<number> => run('scripts/fleet/main.ts', fleetArgs);

async function main(): Promise<number> {
  const paths = new FleetPaths();
  if (!reuse) {
    say(`bringing up a fresh local fleet of ${servers} servers (npm run fleet -- up)`);
    if ((await fleetCli(['up', '--servers', servers])) !== 0) return 1;
  }
  const campaignFile = paths.campaign;
  const campaign = parse(await readFile(campaignFile, 'utf8')) as { campaign: string };
  const planFile = join(paths.root, `${campaign.campaign}.plan.yaml`);
  const shownPlan = relative(REPO_ROOT, planFile);

  const stateDir = join(paths.root, '.dbwave', campaign.campaign);
  if (reuse && (await stat(stateDir).catch(() => undefined))) {
    // A reused fleet keeps the journal of an earlier demo: start this one afresh, keep that one.
    const aside = `${stateDir}.${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(stateDir, aside);
    process.stdout.write(`(the earlier demo's state dir is now ${relative(REPO_ROOT, aside)})\n`);
  }

  say(`planning ${relative(REPO_ROOT, campaignFile)}`);
  if ((await dbwave(['plan', campaignFile])) !== 0) return 1;
  await dbwave(['show', planFile]);

  const plan = parse(await readFile(planFile, 'utf8')) as { waves: { servers: { name: string }[] }[] };
  let status = 0;
  for (const [index, wave] of plan.waves.entries()) {
    const number = index + 1;
    if (withFault && number === plan.waves.length) {
      const victim = wave.servers.at(-1)?.name;
      if (victim) {
        say(`injecting a fault: ${victim}'s new version will not start (it must be rolled back)`);
        await fleetCli(['fault', victim, 'start-fails-on-new']);
      }
    }
    say(
      `running wave ${number} of ${plan.waves.length}: dbwave run ${shownPlan} --wave ${number} --yes --ignore-date`,
    );
    const waveStatus = await dbwave(['run', planFile, '--wave', String(number), '--yes', '--ignore-date']);
    // What on-call reads: the wave's report, for a ticket (Markdown) and a browser (HTML).
    for (const format of ['md', 'html'] as const) {
      const out = join(stateDir, 'reports', `wave-${number}.${format}`);
      await mkdir(dirname(out), { recursive: true });
      await dbwave(['report', planFile, '--wave', String(number), '--format', format, '--out', out]);
    }
    if (waveStatus !== 0) {
      status = waveStatus;
      say(
        `wave ${number} did not upgrade every server (exit ${waveStatus}); a DBA would look before the next wave`,
      );
      break;
    }
  }

  say('where things are');
  await dbwave(['status', planFile]);
  process.stdout.write(
    [
      '',
      `plan:            ${shownPlan}`,
      `journal:         ${relative(REPO_ROOT, join(stateDir, 'journal.jsonl'))} (one JSON line per step transition)`,
      `command output:  ${relative(REPO_ROOT, join(stateDir, 'output'))}/<server>/`,
      `status:          npx dbwave status ${shownPlan}`,
      `reports:         ${relative(REPO_ROOT, join(stateDir, 'reports'))}/wave-N.{md,html}`,
      `report again:    npx dbwave report ${shownPlan} --wave 1 --format html --out wave-1.html`,
      'the fleet:       npm run fleet -- status   (npm run fleet -- down to stop it)',
      '',
    ].join('\n'),
  );
  return status;
}

process.exitCode = await main();
