import type { Attention } from './attention.js';

/** PagerDuty refuses a `payload.summary` longer than this. */
const SUMMARY_LIMIT = 1024;

/** The severities of PagerDuty's Events API v2. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/**
 * One Events API v2 event: `trigger` when a server (or the run) starts needing a person, with its
 * dedup key so that a repeat is the same incident, `resolve` with the same key when it no longer
 * does. The routing key is only ever in this body, which nothing logs.
 */
export function pagerDutyEvent(
  action: 'trigger' | 'resolve',
  attention: Attention,
  options: { readonly routingKey: string; readonly severity: PagerDutySeverity; readonly text: string },
): unknown {
  if (action === 'resolve') {
    return { routing_key: options.routingKey, event_action: 'resolve', dedup_key: attention.key };
  }
  const subject = attention.server ?? 'the dbwave run';
  const summary = `dbwave ${attention.campaign} wave ${attention.wave}: ${subject} needs a person: ${attention.reason}`;
  return {
    routing_key: options.routingKey,
    event_action: 'trigger',
    dedup_key: attention.key,
    client: 'dbwave',
    payload: {
      summary: summary.length <= SUMMARY_LIMIT ? summary : `${summary.slice(0, SUMMARY_LIMIT - 1)}…`,
      source: attention.server ?? 'dbwave',
      severity: options.severity,
      component: attention.server === undefined ? 'dbwave' : 'mysql',
      group: attention.campaign,
      class: attention.server === undefined ? 'run-gone' : 'needs-person',
      custom_details: {
        campaign: attention.campaign,
        wave: attention.wave,
        ...(attention.server === undefined ? {} : { server: attention.server }),
        reason: attention.reason,
        status: options.text,
      },
    },
  };
}
