import { ExitStatus, formatInputIssue } from '../core/errors.js';
import type { KeyPath, SourceLocation } from '../core/source-locator.js';
import { loadPlan } from '../inventory/load-plan.js';
import { checkPlan, type PlanViolation } from '../planner/check-plan.js';
import type { CommandStreams } from './command-services.js';
import { planWarnings } from './plan-warnings.js';

/** The argument of `dbwave check`. */
export interface CheckArguments {
  readonly plan: string;
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
  const result = checkPlan(plan, inventory.classes, inventory.campaign);
  const shown = loaded.locate([]).file;

  for (const warning of result.warnings)
    streams.stderr.write(`dbwave: warning: ${located(loaded.locate, warning)}\n`);
  for (const warning of planWarnings(plan, inventory))
    streams.stderr.write(`dbwave: warning: ${shown}: ${warning}\n`);
  if (result.violations.length > 0) {
    for (const violation of result.violations) streams.stdout.write(`${located(loaded.locate, violation)}\n`);
    const count = result.violations.length;
    streams.stdout.write(`${shown}: ${count} violation${count === 1 ? '' : 's'}: this plan must not run\n`);
    return ExitStatus.Unhealthy;
  }
  const servers = plan.waves.reduce((total, wave) => total + wave.servers.length, 0);
  streams.stdout.write(
    `${shown}: ok: ${plan.waves.length} waves, ${servers} servers, every server once, every class in every wave\n`,
  );
  return ExitStatus.Ok;
}

function located(locate: (key: KeyPath) => SourceLocation, violation: PlanViolation): string {
  const where = locate(violation.key);
  return formatInputIssue({
    file: where.file,
    key: violation.key.join('.'),
    message: violation.message,
    ...(where.line === undefined ? {} : { line: where.line }),
  });
}
