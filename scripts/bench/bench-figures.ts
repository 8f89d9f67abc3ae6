import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../fleet/fleet-paths.js';
import type { TargetResult } from './bench-report.js';

/**
 * The figures table of docs/bench.md is written by `npm run bench`, never by hand: the rows
 * between these markers are replaced, one per target, each with the instant it was measured.
 * Targets a partial run (`--only`) did not measure keep their last row, so the table always
 * holds the newest figure of every target and says when each was taken.
 */
export const FIGURES_BEGIN = '<!-- bench-figures:begin (written by npm run bench) -->';
export const FIGURES_END = '<!-- bench-figures:end -->';
const HEAD = ['| # | target | measured | verdict | measured at (UTC) |', '|---|---|---|---|---|'];

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** One table row for a result measured at `instant`. */
export function figureRow(result: TargetResult, instant: Date): string {
  const at = instant.toISOString().slice(0, 16).replace('T', ' ');
  return `| ${cell(result.id)} | ${cell(result.target)} | ${cell(result.measured)} | ${result.verdict.toUpperCase()} | ${at} |`;
}

const rowId = (row: string): string | undefined => /^\|\s*([^|\s]+)\s*\|/.exec(row)?.[1];

/** The document with its figures table updated by `results`: new rows replace rows of the same target. */
export function withFigures(document: string, results: readonly TargetResult[], instant: Date): string {
  const begin = document.indexOf(FIGURES_BEGIN);
  const end = document.indexOf(FIGURES_END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/bench.md: the markers ${FIGURES_BEGIN} … ${FIGURES_END} are missing`);
  const rows = new Map<string, string>();
  for (const line of document.slice(begin + FIGURES_BEGIN.length, end).split('\n')) {
    const id = rowId(line);
    if (id !== undefined && id !== '#' && !line.startsWith('|---')) rows.set(id, line);
  }
  for (const result of results) rows.set(result.id, figureRow(result, instant));
  const sorted = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => row);
  return `${document.slice(0, begin + FIGURES_BEGIN.length)}\n${[...HEAD, ...sorted].join('\n')}\n${document.slice(end)}`;
}

/** Rewrites docs/bench.md's figures table with this run's results; returns the file's path. */
export async function writeFiguresIntoDocs(results: readonly TargetResult[], instant: Date): Promise<string> {
  const file = join(REPO_ROOT, 'docs', 'bench.md');
  await writeFile(file, withFigures(await readFile(file, 'utf8'), results, instant));
  return file;
}
