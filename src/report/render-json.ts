import type { WaveReport } from './wave-report.js';

/**
 * The report as JSON: the shape documented in docs/reports.md (`schemaVersion` first). Absent
 * facts are left out rather than written as null, except in InnoDB rows, whose five documented
 * fields are always present.
 */
export function renderReportJson(report: WaveReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
