import { z } from 'zod';
import { redactUrl } from '../../core/redact-url.js';
import type { MetricHistory } from '../../engine/ports/metric-history.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { exporterQueries, labelledUnion } from './exporter-queries.js';

export interface PrometheusHistoryOptions {
  /** Prometheus's base URL (campaign `baseline.prometheus`). */
  readonly url: string;
  /** The labels that pick one server's mysqld_exporter series (campaign `baseline.labels`, rendered). */
  readonly labelsFor: (server: ResolvedServer) => Readonly<Record<string, string>>;
  readonly stepMs: number;
  /** One query's time limit. */
  readonly timeoutMs: number;
  /** Node's fetch unless a test gives another. */
  readonly fetch?: typeof fetch;
}

/** The part of Prometheus's /api/v1/query_range answer that is read, checked as it arrives. */
const rangeAnswer = z.object({
  status: z.string(),
  error: z.string().optional(),
  data: z
    .object({
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          values: z.array(z.tuple([z.number(), z.string()])),
        }),
      ),
    })
    .optional(),
});

/**
 * The history port over Prometheus's HTTP API: one /api/v1/query_range per past window, every
 * metric asked for in it (exporter-queries.ts), with Node's own fetch. Nothing of the campaign's
 * credentials goes to Prometheus; a URL with userinfo is sent as written and shown masked.
 */
export function prometheusHistory(options: PrometheusHistoryOptions): MetricHistory {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const stepSeconds = Math.max(1, Math.round(options.stepMs / 1000));
  return {
    source: redactUrl(options.url),
    async series(server, span, metrics, signal) {
      const range = `${4 * stepSeconds}s`;
      const query = labelledUnion(exporterQueries(metrics, options.labelsFor(server), range));
      const body = new URLSearchParams({
        query,
        start: String(span.startMs / 1000),
        end: String(span.endMs / 1000),
        step: `${stepSeconds}s`,
      });
      const response = await doFetch(`${base}/api/v1/query_range`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
      }).catch((error: unknown) => {
        throw new Error(`${redactUrl(options.url)} did not answer: ${describe(error)}`);
      });
      const parsed = rangeAnswer.safeParse(await response.json().catch(() => undefined));
      const answer = parsed.success ? parsed.data : undefined;
      if (!response.ok || answer?.status !== 'success') {
        const why = answer?.error ?? (parsed.success ? '' : 'not a Prometheus query answer');
        throw new Error(
          `${redactUrl(options.url)} answered ${response.status}${why === '' ? '' : `: ${why}`}`,
        );
      }
      const series: Record<string, number[]> = {};
      for (const result of answer.data?.result ?? []) {
        const metric = result.metric.dbwave_metric;
        if (metric === undefined) continue;
        const values = result.values.map(([, value]) => Number(value)).filter(Number.isFinite);
        if (values.length > 0) series[metric] = [...(series[metric] ?? []), ...values];
      }
      return series;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.name === 'TimeoutError' ? 'timed out' : error.message}${cause}`;
  }
  return String(error);
}
