import { DbwaveError, ErrorCode } from '../../core/errors.js';
import { serverVersionIs } from '../../model/version-match.js';
import type { SqlSession } from '../ports/sql-session.js';
import { globalVariable, serverVersion } from './innodb-queries.js';
import type { StepHandler, StepResult } from './step-context.js';
import { because, needsPerson, rollBack } from './transitions.js';

/** The new server's post-upgrade command (mysql_upgrade / mariadb-upgrade), when the campaign has one. */
export const postUpgradeStep: StepHandler<'post-upgrade'> = {
  step: 'post-upgrade',
  async run(context): Promise<StepResult<'post-upgrade'>> {
    if (!context.commands.has('postUpgrade')) {
      return { event: 'skipped', next: { step: 'verify' } };
    }
    // The same version's system tables need no upgrade.
    if (context.campaign.kind === 'restart') {
      return {
        event: 'skipped',
        next: { step: 'verify' },
        detail: { reason: 'a rolling restart: same version' },
      };
    }
    await context.commands.runChecked('post-upgrade', 'postUpgrade');
    return { event: 'succeeded', next: { step: 'verify' } };
  },
  // mysql_upgrade and mariadb-upgrade are safe to run twice.
  probe: async () => 'rerun',
  onError: (context, error) => rollBack(context, because('post-upgrade', error)),
};

function verifyStep<S extends 'verify' | 'rollback-verify'>(step: S): StepHandler<S> {
  const forward = step === 'verify';
  return {
    step,
    async run(context): Promise<StepResult<S>> {
      const expected = forward ? context.campaign.to.version : context.campaign.from.version;
      const sql = await context.sql();
      const version = await serverVersion(sql);
      if (!serverVersionIs(version, expected)) {
        throw new DbwaveError(
          ErrorCode.StepFailed,
          `${context.server.name}: runs ${version}, expected ${expected}`,
        );
      }
      // What the new start must show (a rolling restart's configure); the old one had the old values.
      const variables = forward
        ? await verifiedVariables(context.server.name, sql, context.campaign.verify.variables)
        : {};
      return {
        event: 'succeeded',
        next: { step: forward ? 'readiness-gates' : 'rollback-gates' },
        detail: { version, ...(Object.keys(variables).length === 0 ? {} : { variables }) },
      };
    },
    probe: async () => 'rerun',
    onError: (context, error) =>
      forward ? rollBack(context, because(step, error)) : needsPerson(context, because(step, error)),
  };
}

export const verifyUpgradeStep = verifyStep('verify');
export const rollbackVerifyStep = verifyStep('rollback-verify');

/**
 * Each of verify.variables as the server answers it, or a throw naming every mismatch. A number
 * compares as a number (`268435456` and `268435456.000000` agree), text case-insensitively (ON).
 */
async function verifiedVariables(
  server: string,
  sql: SqlSession,
  expected: Readonly<Record<string, number | string>>,
): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  const wrong: string[] = [];
  for (const [name, want] of Object.entries(expected)) {
    const have = (await globalVariable(sql, name)) ?? 'NULL';
    seen[name] = have;
    if (!variableMatches(have, want)) wrong.push(`${name} is ${have}, expected ${want}`);
  }
  if (wrong.length > 0) {
    throw new DbwaveError(ErrorCode.StepFailed, `${server}: verify.variables: ${wrong.join('; ')}`);
  }
  return seen;
}

/** A server's answer for a variable matches the campaign's value. */
export function variableMatches(have: string, want: number | string): boolean {
  if (typeof want === 'number') return Number(have) === want;
  return have.trim().toLowerCase() === want.trim().toLowerCase();
}
