/**
 * One raw reading of a server's statistics at one instant, as the sampler gathered it: running
 * totals and levels, not yet rates. Only numeric values are kept.
 */
export interface StatusReading {
  /** When the reading was taken (the injected clock, midpoint of the queries), ms since the epoch. */
  readonly atMs: number;
  /** `Uptime` in seconds when known: a smaller value than the previous reading's means a restart. */
  readonly uptimeSeconds?: number;
  /** SHOW GLOBAL STATUS, numeric variables only, by variable name. */
  readonly status: Readonly<Record<string, number>>;
  /** Enabled information_schema.INNODB_METRICS rows, by NAME: COUNT and TYPE. */
  readonly innodbMetrics: Readonly<Record<string, InnodbMetricReading>>;
  /** "History list length" parsed from SHOW ENGINE INNODB STATUS, when it had to be read there. */
  readonly engineHistoryListLength?: number;
}

export interface InnodbMetricReading {
  readonly count: number;
  /** INNODB_METRICS.TYPE: value, status_counter, set_owner, set_member or counter. */
  readonly type: string;
}
