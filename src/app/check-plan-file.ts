import { ExitStatus, formatInputIssue, type InputIssue } from '../core/errors.js';
import { timePhase } from '../core/phase-timing.js';
import type { KeyPath, SourceLocation } from '../core/source-locator.js';
import { loadPlan } from '../inventory/load-plan.js';
import { checkPlan, type PlanViolation } from '../planner/check-plan.js';
import type { CommandStreams } from './command-services.js';
import { planWarnings } from './plan-warnings.js';

/** The argument of `dbwave check`. */
export interface CheckArguments {
  readonly plan: string;
  /** Print the result as one JSON document on stdout instead of lines (warnings included). */
  readonly json?: boolean | undefined;
}

/**
 * `dbwave check PLAN`: validates a plan, perhaps edited by hand, against its campaign and fleet.
 * Lists EVERY violation on stdout, each with the plan file, line and key, and exits 1; exits 0
 * when the plan keeps every rule; exits 2 when the plan or its inputs do not load.
 */
export async function checkPlanFile(
  args: CheckArguments,
  streams: CommandStreams,
  cwd: string = process.cwd(),
): Promise<ExitStatus> {
  const loaded = await loadPlan(args.plan, { cwd });
  const { plan, inventory } = loaded;
  const result = timePhase('plan', () => checkPlan(plan, inventory.fleet, inventory.campaign));
  const shown = loaded.shownPlanFile;

  for (const warning of result.warnings)
    streams.stderr.write(`dbwave: warning: ${located(loaded.locate, warning)}\n`);
  const warnings = [
    ...result.warnings.map((warning) => located(loaded.locate, warning)),
    ...timePhase('plan', () => planWarnings(plan, inventory)).map((warning) => `${shown}: ${warning}`),
  ];
  const servers = plan.waves.reduce((total, wave) => total + wave.servers.length, 0);
  const status = result.violations.length > 0 ? ExitStatus.Unhealthy : ExitStatus.Ok;
  if (args.json === true) {
    const violations = result.violations.map((violation) => locatedIssue(loaded.locate, violation));
    const document = {
      plan: shown,
      ok: status === ExitStatus.Ok,
      waves: plan.waves.length,
      servers,
      violations,
      warnings,
    };
    timePhase('output', () => streams.stdout.write(`${JSON.stringify(document, null, 2)}\n`));
    return status;
  }
  for (const warning of warnings) streams.stderr.write(`dbwave: warning: ${warning}\n`);
  if (result.violations.length > 0) {
    for (const violation of result.violations) streams.stdout.write(`${located(loaded.locate, violation)}\n`);
    const count = result.violations.length;
    streams.stdout.write(`${shown}: ${count} violation${count === 1 ? '' : 's'}: this plan must not run\n`);
    return status;
  }
  streams.stdout.write(
    `${shown}: ok: ${plan.waves.length} waves, ${servers} servers, every server once, every class in every wave\n`,
  );
  return status;
}

function located(locate: (key: KeyPath) => SourceLocation, violation: PlanViolation): string {
  return formatInputIssue(locatedIssue(locate, violation));
}

function locatedIssue(locate: (key: KeyPath) => SourceLocation, violation: PlanViolation): InputIssue {
  const where = locate(violation.key);
  return {
    file: where.file,
    key: violation.key.join('.'),
    message: violation.message,
    ...(where.line === undefined ? {} : { line: where.line }),
  };
}
