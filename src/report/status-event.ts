import type { Attention } from './attention.js';
import { personReason, serversNeedingPerson } from './status-update.js';
import type { WaveReport, WaveStatus, WaveSummary } from './wave-report.js';

/** The shape of the JSON event stream (`notify.webhooks[].format: json`); fields are only added. */
export const STATUS_EVENT_SCHEMA_VERSION = 1;

/** The report's counts that each `status` event carries. */
export type EventSummary = Omit<
  WaveSummary,
  'classes' | 'startedAt' | 'endedAt' | 'wallTimeMs' | 'failureBudget'
> & {
  readonly failureBudget: Omit<WaveSummary['failureBudget'], 'spec'>;
};

/** The regular update: the same facts as the chat line, as data. */
export interface StatusUpdateEvent {
  readonly schemaVersion: number;
  readonly type: 'status';
  readonly at: string;
  readonly campaign: string;
  readonly wave: number;
  /** The report's status, or `run-gone` when the journal says in progress and no run drives it. */
  readonly state: WaveStatus | 'run-gone';
  /** Why the run is gone (only with state `run-gone`). */
  readonly runGone?: string;
  /** The chat line, for receivers that only show text. */
  readonly text: string;
  /** The report's counts (docs/reports.md), without the per-class table and times. */
  readonly summary: EventSummary;
  readonly inFlight: readonly { readonly server: string; readonly step: string; readonly since: string }[];
  readonly needsPerson: readonly { readonly server: string; readonly reason: string }[];
}

/** A server (or the run) newly needing a person, or no longer needing one. */
export interface AttentionEvent {
  readonly schemaVersion: number;
  readonly type: 'needs-person' | 'resolved';
  readonly at: string;
  readonly campaign: string;
  readonly wave: number;
  /** Absent when it is the run that is gone (or back). */
  readonly server?: string;
  readonly reason: string;
  /** Stable across updates and processes: the same value as PagerDuty's dedup_key. */
  readonly key: string;
}

export type StatusEvent = StatusUpdateEvent | AttentionEvent;

/** The `status` event of one broadcast. */
export function statusUpdateEvent(
  report: WaveReport,
  text: string,
  runGone: string | undefined,
): StatusUpdateEvent {
  const gone = report.status === 'in-progress' && runGone !== undefined;
  return {
    schemaVersion: STATUS_EVENT_SCHEMA_VERSION,
    type: 'status',
    at: report.generatedAt,
    campaign: report.campaign,
    wave: report.wave,
    state: gone ? 'run-gone' : report.status,
    ...(gone ? { runGone } : {}),
    text,
    summary: eventSummary(report.summary),
    inFlight: report.servers.flatMap((server) =>
      server.outcome === 'InProgress' && server.currentStep !== undefined
        ? [{ server: server.name, step: server.currentStep.step, since: server.currentStep.since }]
        : [],
    ),
    needsPerson: serversNeedingPerson(report).map((server) => ({
      server: server.name,
      reason: personReason(server),
    })),
  };
}

function eventSummary(summary: WaveSummary): EventSummary {
  const {
    classes: _classes,
    startedAt: _started,
    endedAt: _ended,
    wallTimeMs: _wall,
    failureBudget,
    ...counts
  } = summary;
  const { spec: _spec, ...budget } = failureBudget;
  return { ...counts, failureBudget: budget };
}

/** A `needs-person` or `resolved` event for one attention. */
export function attentionEvent(
  type: AttentionEvent['type'],
  attention: Attention,
  at: string,
): AttentionEvent {
  return {
    schemaVersion: STATUS_EVENT_SCHEMA_VERSION,
    type,
    at,
    campaign: attention.campaign,
    wave: attention.wave,
    ...(attention.server === undefined ? {} : { server: attention.server }),
    reason: attention.reason,
    key: attention.key,
  };
}
