import ms from 'ms';

/**
 * Durations as people write them in campaign and class files: `90s`, `10m`, `1.5h`, `250ms`.
 * A bare number is refused: `60` could mean seconds or minutes, and a wrong guess about a
 * shutdown budget is not one to make silently.
 */
export const DURATION_PATTERN = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/;

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION_PATTERN.test(trimmed)) return undefined;
  const value = ms(trimmed as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `3723000` -> `1h02m03s`; short forms for the terminal and reports. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const totalSeconds = Math.round(milliseconds / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m${String(seconds).padStart(2, '0')}s`;
  if (minutes > 0) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** `3600000` -> `+1h`, `86400000` -> `+1d`: a soak point as campaigns write it, after the wave's end. */
export function soakPointLabel(milliseconds: number): string {
  return `+${ms(milliseconds)}`;
}
