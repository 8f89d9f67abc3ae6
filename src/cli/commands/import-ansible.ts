import type { Argv, CommandModule } from 'yargs';
import { processStreams } from '../../app/command-services.js';
import type { ImportAnsibleArguments } from '../../app/import-inventory.js';
import { runHandler } from '../run-handler.js';
import { importOptions } from './import-options.js';

/** `dbwave import ansible INVENTORY`: see importAnsibleInventory. */
export const importAnsibleCommand: CommandModule<object, ImportAnsibleArguments> = {
  command: 'ansible <inventory>',
  describe:
    'Hardware-class files from an Ansible inventory (INI or YAML, or - for ansible-inventory --list JSON)',
  builder: (yargs: Argv<object>) =>
    importOptions(
      yargs
        .positional('inventory', {
          type: 'string',
          demandOption: true,
          describe: 'Inventory file (group_vars/ and host_vars/ beside it are read), or - for stdin',
        })
        .option('group-by', {
          type: 'string',
          describe: 'A host variable whose value is the class (default: the groups that list the host)',
        }),
    )
      .example('$0 import ansible inventory.ini', 'classes from the groups, in hardware-classes/')
      .example(
        'ansible-inventory -i inv/ --list | $0 import ansible - --group-by hw_class',
        'any inventory Ansible reads',
      ),
  // yargs hands a lone `-` over as an empty string; no file is named '' either. The importers
  // load only when this command runs: every other command starts without them.
  handler: (argv) =>
    runHandler(async () => {
      const { importAnsibleInventory } = await import('../../app/import-inventory.js');
      return importAnsibleInventory(
        { ...argv, inventory: argv.inventory === '' ? '-' : argv.inventory },
        processStreams,
        process.cwd(),
        process.stdin,
      );
    }),
};
