import type {
  AlertKind,
  CanaryRecord,
  ErrorSummary,
  ServerOutcome,
  StepEvent,
  StepFields,
  StepName,
} from '../journal/journal-record.js';
import { TypedEmitter } from './typed-emitter.js';

/**
 * What the engine tells the world. The journal, the progress display, metrics and the reporter
 * subscribe; the step loop knows none of them. `at` is the engine clock's ISO instant.
 */

export type { AlertKind } from '../journal/journal-record.js';

/** A step's transition; `step` and `detail` (StepFields) carry the step's own facts (step-detail.ts). */
export type StepEventPayload = StepFields & {
  readonly at: string;
  readonly wave: number;
  readonly server: string;
  readonly event: StepEvent;
  readonly error?: ErrorSummary;
  /** From `started` to this event; absent on `started`. */
  readonly durationMs?: number;
};

export interface ProgressPayload {
  readonly at: string;
  readonly wave: number;
  readonly server: string;
  readonly step: StepName;
  readonly dirtyPages?: number;
  readonly historyListLength?: number;
  readonly etaMs?: number;
  readonly elapsedMs?: number;
  readonly message: string;
  /** The journal keeps a progress event only when this is true (at most every 30 s per server). */
  readonly journal: boolean;
}

export interface AlertPayload {
  readonly at: string;
  readonly wave: number;
  readonly server?: string;
  readonly alert: AlertKind;
  readonly message: string;
}

export interface OutcomePayload {
  readonly at: string;
  readonly wave: number;
  readonly server: string;
  readonly outcome: ServerOutcome;
  readonly reason?: string;
}

export interface WavePayload {
  readonly at: string;
  readonly wave: number;
  readonly event: 'started' | 'resumed' | 'finished' | 'halted';
  readonly servers?: readonly string[];
  readonly operator?: { readonly user: string; readonly host: string; readonly pid: number };
  readonly reason?: string;
  /** `run` or `rollback`: what the operator asked for (WaveRecord.action). */
  readonly action?: 'run' | 'rollback';
  /** The wave began out of order (WaveRecord.orderOverride). */
  readonly orderOverride?: OrderOverride;
}

/** A wave begun although the wave before it was not done: the operator's reason and what was overridden. */
export interface OrderOverride {
  readonly reason: string;
  /** The refusals the operator overrode, as the refusal said them. */
  readonly refusals: readonly string[];
}

/** The canary stage's bake as the journal keeps it (CanaryRecord). */
export type CanaryPayload = Omit<CanaryRecord, 'v' | 'seq' | 'at' | 'campaign' | 'kind'> & {
  readonly at: string;
};

export interface EngineEventMap {
  step: StepEventPayload;
  progress: ProgressPayload;
  alert: AlertPayload;
  outcome: OutcomePayload;
  wave: WavePayload;
  canary: CanaryPayload;
}

/** The engine's event bus: one per run. */
export class EngineEvents extends TypedEmitter<EngineEventMap> {}
