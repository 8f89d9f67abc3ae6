import { shellQuote } from '../../model/shell-quote.js';

/**
 * What a failed soak recommends: rolling its servers back, one command each, for a person to
 * run. dbwave never rolls back by itself after a soak: the servers have served users on the new
 * version for hours, and past the campaign's point of no return a rollback is not clean.
 */
export function soakRollbackCommands(plan: string, wave: number, servers: readonly string[]): string[] {
  return servers.map(
    (server) => `dbwave rollback ${shellWord(plan)} --wave ${wave} --server ${shellWord(server)}`,
  );
}

/** The advice as lines under a refusal or a status: what failed, and the commands. */
export function soakRollbackAdvice(plan: string, wave: number, servers: readonly string[]): string[] {
  if (servers.length === 0) return [];
  return [
    `Soak failed on ${servers.join(', ')}: look at them (dbwave report ${shellWord(plan)} --wave ${wave}), then roll them back:`,
    ...soakRollbackCommands(plan, wave, servers).map((command) => `    ${command}`),
  ];
}

/** A word as a person would type it: bare when the shell reads it as is, quoted otherwise. */
function shellWord(value: string): string {
  return /^[\w./@:+,=-]+$/.test(value) ? value : shellQuote(value);
}
