import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Table from 'cli-table3';
import { median } from 'simple-statistics';
import { REPO_ROOT } from '../fleet/fleet-paths.js';

/** One target of the bench: what was measured against what it should be. */
export interface TargetResult {
  readonly id: string;
  readonly target: string;
  /** The measured figure, in words and numbers. */
  readonly measured: string;
  /** `skipped` when it could not be measured (the reason is in `measured`). */
  readonly verdict: 'pass' | 'fail' | 'skipped';
  /** Everything behind the figure, for the JSON file. */
  readonly data?: unknown;
}

export function medianOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : median([...values]);
}

export function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a';
}

export function printTable(results: readonly TargetResult[], print: (line: string) => void): void {
  const table = new Table({
    head: ['#', 'target', 'measured', 'verdict'],
    colWidths: [5, 44, 64, 9],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const result of results) {
    table.push([result.id, result.target, result.measured, result.verdict.toUpperCase()]);
  }
  print(table.toString());
}

/** Writes bench-results/bench-<instant>.json and returns its path. */
export async function writeResults(
  results: readonly TargetResult[],
  extra: Record<string, unknown>,
): Promise<string> {
  const dir = join(REPO_ROOT, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify({ ...extra, results }, null, 2)}\n`);
  return file;
}
