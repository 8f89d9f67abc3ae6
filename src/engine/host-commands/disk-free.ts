import { shellQuote } from '../../model/shell-quote.js';

/** The command that prints the free space of the filesystem holding `dir`, in POSIX format. */
export function diskFreeCommand(dir: string): string {
  return `df -Pk -- ${shellQuote(dir)}`;
}

/** `df -Pk` output -> available KiB of the filesystem (POSIX format: the 4th field of line 2). */
export function parseDfAvailableKb(output: string): number | undefined {
  const line = output.trim().split('\n')[1];
  const field = line?.trim().split(/\s+/)[3];
  const value = field === undefined ? Number.NaN : Number(field);
  return Number.isFinite(value) ? value : undefined;
}
