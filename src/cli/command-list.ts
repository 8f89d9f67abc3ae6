import type { CommandModule } from 'yargs';
import { checkCommand } from './commands/check.js';
import { checklistCommand } from './commands/checklist.js';
import { compareCommand } from './commands/compare.js';
import { discoverCommand } from './commands/discover.js';
import { handoffCommand } from './commands/handoff.js';
import { importCommand } from './commands/import.js';
import { planCommand } from './commands/plan.js';
import { reportCommand } from './commands/report.js';
import { rollbackCommand } from './commands/rollback.js';
import { runCommand } from './commands/run.js';
import { showCommand } from './commands/show.js';
import { soakCommand } from './commands/soak.js';
import { stateCommand } from './commands/state.js';
import { statusCommand } from './commands/status.js';
import { unlockCommand } from './commands/unlock.js';

/**
 * Every dbwave command, one module per file under commands/. Add a command by adding its module
 * here; main.ts registers them in this order (the order `--help` lists them in). Each handler
 * imports its app/ module when it runs: `dbwave plan` then loads no SSH, SQL or report code,
 * which was most of its start-up time.
 */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules are heterogeneous in their argv types
export const commands: readonly CommandModule<any, any>[] = [
  planCommand,
  checkCommand,
  showCommand,
  runCommand,
  rollbackCommand,
  statusCommand,
  unlockCommand,
  handoffCommand,
  compareCommand,
  soakCommand,
  reportCommand,
  checklistCommand,
  stateCommand,
  importCommand,
  discoverCommand,
];
