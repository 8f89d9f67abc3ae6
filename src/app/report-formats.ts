/** The formats `dbwave report --format` writes: its own module, so that `--help` loads no renderer. */
export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
