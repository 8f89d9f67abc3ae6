import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { timePhase } from '../core/phase-timing.js';
import type { KeyPath, SourceLocation } from '../core/source-locator.js';
import { safeParsePlanFile } from '../model/fleet-file-safe-parse.js';
import type { Plan } from '../model/plan.js';
import { planFromFile } from '../model/plan-file-schema.js';
import { canaryIssues } from '../planner/canary-selection.js';
import { displayPath } from './display-path.js';
import { type Inventory, type LoadOptions, loadInventory } from './load-inventory.js';
import { readYamlFile } from './read-yaml-file.js';
import { linesOf, type YamlLines } from './yaml-source.js';
import { zodInputIssues } from './zod-input-issues.js';

/** A plan file, validated, with the campaign and fleet it was made from. */
export interface LoadedPlan {
  readonly plan: Plan;
  /** Absolute path of the plan file. */
  readonly planFile: string;
  /** The plan file as messages name it (relative to the working directory when inside it). */
  readonly shownPlanFile: string;
  readonly inventory: Inventory;
  /** File and line of a key of the plan file, for `dbwave check`'s messages. */
  locate(key: KeyPath): SourceLocation;
}

/**
 * Loads a plan file, validates its shape, and loads its campaign (`campaignFile`, relative to the
 * plan) and fleet. Shape only: whether the plan keeps the planning rules is `checkPlan`'s job,
 * which `dbwave run` should call before running anything.
 *
 * @throws InputError (exit 2) naming file, key and line of every problem.
 */
export async function loadPlan(planPath: string, options: LoadOptions = {}): Promise<LoadedPlan> {
  const cwd = options.cwd ?? process.cwd();
  const planFile = resolve(cwd, planPath);
  const { plan, lines } = await readPlanFile(planFile, displayPath(planFile, cwd));

  const campaignFile = resolve(dirname(planFile), plan.campaignFile);
  let inventory: Inventory;
  try {
    inventory = await loadInventory(campaignFile, { cwd });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const line = lines.lineOf(['campaignFile']);
    const context = `the plan's campaign file ${plan.campaignFile} does not load`;
    throw new InputError(
      [
        { file: lines.file, key: 'campaignFile', message: context, ...(line === undefined ? {} : { line }) },
        ...error.issues,
      ],
      { cause: error },
    );
  }
  // The canary stage is judged against the plan: its servers must be in the plan's first wave.
  const canary = canaryIssues(plan, inventory.campaign.canary, inventory.classes, inventory.sources.campaign);
  if (canary.length > 0) throw new InputError(canary);
  return {
    plan,
    planFile,
    shownPlanFile: lines.file,
    inventory,
    locate: (key) => {
      const line = lines.lineOf(key);
      return line === undefined ? { file: lines.file } : { file: lines.file, line };
    },
  };
}

/**
 * The plan file, validated, and the means to point at its lines. Its own function so that no
 * closure of {@link loadPlan} holds the raw parsed value: at 100,000 servers that copy is tens
 * of megabytes that `check` and `show` would otherwise carry to the end.
 */
async function readPlanFile(planFile: string, shownAs: string): Promise<{ plan: Plan; lines: YamlLines }> {
  const source = await readYamlFile(planFile, shownAs);
  if (source.issues.length > 0) throw new InputError(source.issues);
  const plan = timePhase('validate', () => {
    const parsed = safeParsePlanFile(source.value ?? {});
    if (!parsed.success) throw new InputError(zodInputIssues(parsed.error, source));
    return planFromFile(parsed.data);
  });
  return { plan, lines: linesOf(source) };
}
