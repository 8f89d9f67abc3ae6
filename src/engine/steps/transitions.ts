import { errorMessage } from '../../core/errors.js';
import type { Next, PendingOutcome } from '../journal/step-detail.js';
import type { StepContext } from './step-context.js';

/** The step that closes the window the server is in now. */
export function closeWindow(context: StepContext): Next {
  return { step: context.inSecondWindow() ? 'rollback-window-close' : 'window-close' };
}

/**
 * After a failure inside a window once the server may have changed: roll back, or, past the
 * point of no return, close the window and leave the server for a user migration.
 */
export function rollBack(context: StepContext, reason: string): { next: Next; pending: PendingOutcome } {
  if (context.pastPointOfNoReturn()) {
    return {
      next: closeWindow(context),
      pending: {
        outcome: 'NeedsUserMigration',
        reason: `${reason}; past the point of no return (${context.campaign.pointOfNoReturn}), so no downgrade`,
      },
    };
  }
  return { next: { step: 'rollback-shutdown' }, pending: { outcome: 'RolledBack', reason } };
}

/** A failure that leaves the server to a person, once its window is closed. */
export function needsPerson(context: StepContext, reason: string): { next: Next; pending: PendingOutcome } {
  return { next: closeWindow(context), pending: { outcome: 'NeedsPerson', reason } };
}

/** The reason a step failed, for an outcome: `start: mariadbd exited at once`. */
export function because(step: string, error: unknown): string {
  return `${step}: ${errorMessage(error)}`;
}
