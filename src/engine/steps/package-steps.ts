import { DbwaveError, ErrorCode } from '../../core/errors.js';
import { versionMatches } from '../../model/version-match.js';
import type { PackageCommand } from '../ports/host-commands.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { because, needsPerson, rollBack } from './transitions.js';

function refuse(context: StepContext, message: string): never {
  throw new DbwaveError(ErrorCode.StepFailed, `${context.server.name}: ${message}`);
}

/**
 * The command a package step runs: an upgrade switches the package (`upgrade` / `rollback`); a
 * rolling restart applies its configuration (`configure`) and puts it back (`rollback`), and a
 * restart without one has nothing to run while the server is down.
 */
function commandOf(context: StepContext, forward: boolean): PackageCommand | undefined {
  if (context.campaign.kind === 'upgrade') return forward ? 'upgrade' : 'rollback';
  const command = forward ? 'configure' : 'rollback';
  return context.commands.has(command) ? command : undefined;
}

/**
 * Switches the installed package: `upgrade` to the campaign's `to`, `rollback-package` back to
 * `from` (a rolling restart: its `configure`, and `rollback` to undo it). Only ever with mysqld
 * stopped (the host checks `running` right before the switch, in the same round trip), and never
 * after an unclean shutdown (checked here again, whatever path led here). The installed version
 * is verified afterwards.
 */
function packageStep<S extends 'upgrade' | 'rollback-package'>(step: S): StepHandler<S> {
  const forward = step === 'upgrade';
  const shutdownStep = forward ? 'shutdown' : 'rollback-shutdown';
  const target = (context: StepContext): string =>
    forward ? context.campaign.to.version : context.campaign.from.version;
  const next = { step: forward ? 'start' : 'rollback-start' } as const;

  return {
    step,
    async run(context): Promise<StepResult<S>> {
      if (context.detail(shutdownStep).clean === false) {
        refuse(
          context,
          `${shutdownStep} was not clean: the package is never touched after an unclean shutdown`,
        );
      }
      const command = commandOf(context, forward);
      if (command === undefined) {
        return { event: 'skipped', next, detail: { reason: 'a rolling restart with no commands.configure' } };
      }
      // The guard, the command and the version read: one round trip inside the window.
      const switched = await context.commands.switchPackage(step, command);
      if (switched.running) refuse(context, `mysqld is running: refusing to ${command}`);
      const installed = switched.installedVersion;
      if (!versionMatches(installed, target(context))) {
        refuse(context, `after ${command} the installed version is "${installed}", not ${target(context)}`);
      }
      return { event: 'succeeded', next, detail: { installedVersion: installed, command } };
    },
    async probe(context) {
      // A configuration cannot be probed: `configure` runs again (it writes the same file).
      if (context.campaign.kind === 'restart') return 'rerun';
      if (await context.commands.isRunning(step)) return 'rerun';
      const installed = await context.commands.installedVersion(step);
      return versionMatches(installed, target(context))
        ? { event: 'succeeded', next, detail: { installedVersion: installed, reconciled: true } }
        : 'rerun';
    },
    onError: (context, error) =>
      forward ? rollBack(context, because(step, error)) : needsPerson(context, because(step, error)),
  };
}

export const upgradeStep = packageStep('upgrade');
export const rollbackPackageStep = packageStep('rollback-package');
