import { type ServerFlavour, serverFlavour } from '../../model/server-flavour.js';
import type { StepContext } from './step-context.js';

/**
 * The server's flavour as the precheck journaled it (`version`, `versionComment`): the steps
 * after it ask this, so a resumed run knows it without asking a server that may be down.
 * Undefined when the precheck read no version (a journal from before it read the comment
 * still gives the version, and `-MariaDB` in it).
 */
export function journaledFlavour(context: Pick<StepContext, 'detail'>): ServerFlavour | undefined {
  const { version, versionComment } = context.detail('precheck');
  return version === undefined ? undefined : serverFlavour(version, versionComment);
}
