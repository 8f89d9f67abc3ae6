/**
 * A plan: what `dbwave plan` writes (`waves/<campaign>.plan.yaml`), a DBA reviews and commits,
 * `dbwave check` validates and `dbwave run` executes one wave of. Waves are numbered from 1.
 */

export interface PlannedDay {
  /** Local calendar date, YYYY-MM-DD. */
  readonly date: string;
  /** The day's maintenance window as ISO instants with the zone's UTC offset on that day. */
  readonly windowStart: string;
  readonly windowEnd: string;
  /**
   * The capacity estimate when the plan was written, for the reviewer's eyes only: `dbwave show`
   * recomputes it from the fleet, and nothing reads it back.
   */
  readonly capacity?: PlannedDayCapacity;
}

/** A day's expected work against its window, as durations people read (`5h45m00s`). */
export interface PlannedDayCapacity {
  readonly servers: number;
  readonly concurrency: number;
  readonly p50: string;
  readonly p95: string;
  readonly window: string;
  /** `fits` at p95; `tight`: fits at p50 only; `overruns`: not even at p50. */
  readonly fit: 'fits' | 'tight' | 'overruns';
}

export interface PlannedServer {
  readonly name: string;
  readonly class: string;
  /** The day of the wave this server runs on. */
  readonly date: string;
}

export interface PlannedWave {
  /** 1-based: `dbwave run PLAN --wave 1`. */
  readonly index: number;
  /** The campaign wave's `name`, when it has one. */
  readonly name?: string;
  readonly days: readonly PlannedDay[];
  /** In execution order: replicas before their primary. */
  readonly servers: readonly PlannedServer[];
}

export interface Plan {
  readonly campaign: string;
  readonly timezone: string;
  /** The campaign file this plan was made from, relative to the plan file. */
  readonly campaignFile: string;
  /** What wrote the plan, e.g. `dbwave 0.1.0`; informational. */
  readonly generatedBy?: string;
  readonly waves: readonly PlannedWave[];
}
