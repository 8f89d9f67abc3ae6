import type { Argv, CommandModule } from 'yargs';
import { importAnsibleCommand } from './import-ansible.js';
import { importCsvCommand } from './import-csv.js';

/** `dbwave import ansible|csv`: hardware-class files from what a DBA already has. */
export const importCommand: CommandModule<object, object> = {
  command: 'import <source>',
  describe: 'Write hardware-class files from an Ansible inventory or a spreadsheet (CSV)',
  builder: (yargs: Argv<object>) =>
    yargs.command(importAnsibleCommand).command(importCsvCommand).demandCommand(1),
  handler: () => undefined,
};
