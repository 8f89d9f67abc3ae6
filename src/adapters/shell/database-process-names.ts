/**
 * Process names a timed-out command's group is never signalled in: a database server that a
 * start command launched without detaching shuts down on dbwave's terms, never by a kill.
 */
export const DATABASE_PROCESS_NAMES: readonly string[] = [
  'mysqld',
  'mariadbd',
  'mysqld_safe',
  'mariadbd-safe',
];
