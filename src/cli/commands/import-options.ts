import type { Argv } from 'yargs';

/** `--out` and `--dry-run`, shared by `import ansible` and `import csv`. */
export function importOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('out', {
      type: 'string',
      describe: 'Folder of the hardware-class files (default hardware-classes)',
    })
    .option('dry-run', {
      type: 'boolean',
      describe: 'Show what would change, write nothing',
    });
}
