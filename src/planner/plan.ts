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
  readonly days: readonly PlannedDay[];
  /** In execution order: replicas before their primary. */
  readonly servers: readonly PlannedServer[];
}

export interface Plan {
  readonly campaign: string;
  readonly timezone: string;
  /** The campaign file this plan was made from, relative to the plan file. */
  readonly campaignFile: string;
  readonly waves: readonly PlannedWave[];
}
