import { shellQuote } from './shell-quote.js';

/**
 * systemd's TimeoutStopSec: how long `systemctl stop` lets a unit's clean shutdown run before it
 * SIGKILLs mysqld. A clean shutdown (innodb_fast_shutdown=0) of a large buffer pool takes far
 * longer than most units allow, and a SIGKILL mid-flush is the crash dbwave exists to avoid.
 */

/** The command that prints a unit's stop timeout (`TimeoutStopUSec=15min`). */
export function stopTimeoutCommand(unit: string): string {
  return `systemctl show -p TimeoutStopUSec -- ${shellQuote(unit)}`;
}

/** A unit's stop timeout in ms; `infinity` when systemd never kills (infinity, or 0). */
export type StopTimeout = number | 'infinity';

/** systemd's time-span units, in ms (systemd.time(7)). */
const SPAN_UNITS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(us|usec)$/, 0.001],
  [/^(ms|msec)$/, 1],
  [/^(s|sec|second|seconds)?$/, 1_000],
  [/^(m|min|minute|minutes)$/, 60_000],
  [/^(h|hr|hour|hours)$/, 3_600_000],
  [/^(d|day|days)$/, 86_400_000],
  [/^(w|week|weeks)$/, 604_800_000],
  [/^(M|month|months)$/, 2_629_800_000],
  [/^(y|year|years)$/, 31_557_600_000],
];

/**
 * `TimeoutStopUSec=1min 30s` (or the bare value) -> 90000. Undefined for text that is not a
 * systemd time span (no such property, an unknown unit).
 */
export function parseStopTimeout(output: string): StopTimeout | undefined {
  const value = output
    .trim()
    .replace(/^TimeoutStopUSec=/, '')
    .trim();
  if (value === '') return undefined;
  if (value === 'infinity') return 'infinity';
  let total = 0;
  for (const part of value.split(/\s+/)) {
    const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(part);
    if (match === null) return undefined;
    const unit = SPAN_UNITS.find(([pattern]) => pattern.test(match[2] ?? ''));
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit[1];
  }
  return total === 0 ? 'infinity' : Math.round(total);
}

/** What the precheck makes of a unit's stop timeout. */
export type StopTimeoutVerdict =
  | { readonly verdict: 'ok' }
  /** Past the budget but before the hard limit: a slow shutdown would be killed while dbwave still waits. */
  | { readonly verdict: 'warn'; readonly message: string }
  /** Shorter than the budget: an ordinary slow shutdown would be killed. */
  | { readonly verdict: 'fail'; readonly message: string };

/** Whether the unit lets a clean shutdown run for the campaign's budget and hard limit. */
export function judgeStopTimeout(
  unit: string,
  timeout: StopTimeout,
  limits: { readonly budgetMs: number; readonly hardLimitMs: number },
  format: (ms: number) => string,
): StopTimeoutVerdict {
  if (timeout === 'infinity' || timeout >= limits.hardLimitMs) return { verdict: 'ok' };
  const fix = `set it with \`systemctl edit ${unit}\`: [Service] TimeoutStopSec=${Math.ceil(limits.hardLimitMs / 1000)} (or infinity), then systemctl daemon-reload`;
  if (timeout < limits.budgetMs) {
    return {
      verdict: 'fail',
      message: `systemd unit ${unit} has TimeoutStopSec ${format(timeout)}, shorter than shutdown.budget ${format(limits.budgetMs)}: systemd would SIGKILL mysqld mid-flush; ${fix}`,
    };
  }
  return {
    verdict: 'warn',
    message: `systemd unit ${unit} has TimeoutStopSec ${format(timeout)}, shorter than shutdown.hardLimit ${format(limits.hardLimitMs)}: a shutdown over budget would be killed; ${fix}`,
  };
}
