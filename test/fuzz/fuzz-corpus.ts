import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument } from 'yaml';
import { planCampaign } from '../../src/app/plan-campaign.js';
import { ExitStatus } from '../../src/core/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = join(ROOT, 'test', 'fixtures', 'bad-inputs', 'base');
const SOURCE_CASE_CAMPAIGN = join(ROOT, 'waves', 'mysql-5.1.58.yaml');

/** The name the plan file has in every case folder; `check`, `show` and `checklist` read it. */
export const PLAN_FILE = 'lab-upgrade.plan.yaml';
export const CAMPAIGN_FILE = 'campaign.yaml';

/** A valid set of input files, by path in the case folder: the campaign, its fleet and its plan. */
export type Corpus = Readonly<Record<string, string>>;

/**
 * The sections of the source case's campaign that the bad-inputs base leaves out (commands,
 * maintenance, gates, budgets, and the packages its templates install), so that the fuzzer also
 * reaches templates, adapters and gates.
 */
const RICH_SECTIONS = [
  'from',
  'to',
  'target503',
  'shutdown',
  'preflush',
  'prechecks',
  'concurrency',
  'failureBudget',
  'startTimeout',
  'maintenance',
  'commands',
  'gates',
] as const;

/**
 * The two starting points of every case: the bad-inputs base (campaign + fleet of 3 classes) and
 * the same campaign with the source case's optional sections, each with the plan `dbwave plan`
 * writes from it. Both are checked to plan cleanly, so every failure is the mutation's doing.
 */
export async function validCorpora(): Promise<{ readonly base: Corpus; readonly rich: Corpus }> {
  const fleet: Record<string, string> = {};
  for (const name of (await readdir(join(BASE, 'fleet'))).sort()) {
    fleet[`fleet/${name}`] = await readFile(join(BASE, 'fleet', name), 'utf8');
  }
  const campaign = await readFile(join(BASE, CAMPAIGN_FILE), 'utf8');
  const richCampaign = parseDocument(campaign);
  const source = parseDocument(await readFile(SOURCE_CASE_CAMPAIGN, 'utf8'));
  for (const key of RICH_SECTIONS) richCampaign.set(key, source.get(key, true));
  // Free text that `show` and `checklist` print: a wave's name.
  richCampaign.setIn(['waves', 0, 'name'], 'first day');

  // The source case's HAProxy window names each server's backend by its shard: give every
  // server of the rich fleet one, so that its templates render for every server.
  const richFleet: Record<string, string> = {};
  for (const [path, text] of Object.entries(fleet)) {
    const document = parseDocument(text);
    const servers = document.get('servers');
    if (isSeq(servers)) {
      servers.items.forEach((server, index) => {
        if (isMap(server)) server.set('shard', `shard-${basename(path, '.yaml')}-${index + 1}`);
      });
    }
    richFleet[path] = document.toString();
  }

  const base = { [CAMPAIGN_FILE]: campaign, ...fleet };
  const rich = { [CAMPAIGN_FILE]: richCampaign.toString(), ...richFleet };
  return { base: await withPlan(base), rich: await withPlan(rich) };
}

async function withPlan(files: Corpus): Promise<Corpus> {
  const dir = await mkdtemp(join(tmpdir(), 'dbwave-fuzz-corpus-'));
  try {
    await writeCorpus(dir, files);
    const silent = { stdout: { write: () => true }, stderr: { write: () => true } };
    const status = await planCampaign({ campaign: CAMPAIGN_FILE, out: PLAN_FILE }, silent, dir);
    if (status !== ExitStatus.Ok) throw new Error(`the fuzz corpus does not plan (exit ${status})`);
    return { ...files, [PLAN_FILE]: await readFile(join(dir, PLAN_FILE), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes the files of a corpus (or a mutated one) into `dir`. */
export async function writeCorpus(dir: string, files: Corpus): Promise<void> {
  await mkdir(join(dir, 'fleet'), { recursive: true });
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
}
