import type { ImportedServerKey } from './imported-server.js';

/**
 * The columns `dbwave import csv` reads as server keys, by key: each column's header, lower case
 * (headers are matched trimmed and case-insensitively). The snake_case name is what spreadsheets
 * use; the class file's own key (`sshPort`) reads too. Every other column is a template variable
 * (`vars`), named by its header as written.
 */
export const CSV_SERVER_COLUMNS: Readonly<Record<'name' | ImportedServerKey, readonly string[]>> = {
  name: ['name'],
  host: ['host'],
  port: ['port', 'mysql_port'],
  sshPort: ['ssh_port', 'sshport'],
  sshUser: ['ssh_user', 'sshuser'],
  datacenter: ['datacenter'],
  cluster: ['cluster'],
  role: ['role'],
  shard: ['shard'],
  mdLayout: ['md_layout', 'mdlayout'],
  dataDir: ['data_dir', 'datadir'],
  errorLog: ['error_log', 'errorlog'],
};

/** The column whose value is the server's class, unless `--group-by` names another. */
export const CSV_CLASS_COLUMN = 'class';
