import type { Clock } from '../../engine/ports/clock.js';
import type { SqlSession } from '../../engine/ports/sql-session.js';
import { innodbStatusFacts, type ServerFlavour } from '../../model/server-flavour.js';
import type { InnodbMetricReading, StatusReading } from '../compare/status-reading.js';
import { column, numericValue, textValue, variableMap } from './sql-values.js';

/**
 * Server-level status variables read beside `Innodb_*`: uptime (restart detection), the
 * workload (statements, threads) and where MariaDB 10.6+ keeps row counts now that it has no
 * `Innodb_rows_*`.
 */
const EXTRA_STATUS_VARIABLES = [
  'Uptime',
  'Questions',
  'Threads_running',
  'Threads_connected',
  'Rows_read',
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_commit',
  'Com_rollback',
];

const STATUS_QUERY =
  "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Innodb%' OR Variable_name IN (" +
  EXTRA_STATUS_VARIABLES.map((name) => `'${name}'`).join(', ') +
  ')';

/** SELECT * because the column saying a metric is on is STATUS in MySQL and ENABLED in MariaDB. */
const INNODB_METRICS_QUERY = 'SELECT * FROM information_schema.INNODB_METRICS';

const HISTORY_LIST_LENGTH = /History list length\s+(\d+)/;

/**
 * Reads one StatusReading from a server: SHOW GLOBAL STATUS, the enabled INNODB_METRICS rows
 * and the history list length, asking only where the server's flavour publishes them
 * (server-flavour.ts). A server whose flavour is not known is asked everywhere; what it turns
 * out to lack (INNODB_METRICS before 5.6) is remembered so that later readings of the same
 * sampling ask only what it has.
 */
export class StatusReader {
  private innodbMetricsAvailable: boolean;
  /**
   * SHOW ENGINE INNODB STATUS is parsed only where no status variable has the history list: an
   * INNODB_METRICS counter can be switched off (innodb_monitor_disable), the text cannot.
   */
  private readonly engineStatusFallback: boolean;

  constructor(
    private readonly session: SqlSession,
    private readonly clock: Clock,
    server?: ServerFlavour,
  ) {
    const facts = innodbStatusFacts(server);
    this.innodbMetricsAvailable = facts.innodbMetrics;
    this.engineStatusFallback = server === undefined || facts.historyList !== 'status';
  }

  async read(): Promise<StatusReading> {
    const startedAt = this.clock.now();
    const statusRows = await this.session.query(STATUS_QUERY);
    const innodbMetrics = await this.readInnodbMetrics();
    const status: Record<string, number> = {};
    for (const [name, text] of variableMap(statusRows)) {
      const value = numericValue(text);
      if (value !== undefined) status[name] = value;
    }
    const hasHistory =
      innodbMetrics.trx_rseg_history_len !== undefined || status.Innodb_history_list_length !== undefined;
    const engineHistoryListLength =
      hasHistory || !this.engineStatusFallback ? undefined : await this.readEngineHistoryListLength();
    const atMs = (startedAt + this.clock.now()) / 2;
    return {
      atMs,
      ...(status.Uptime === undefined ? {} : { uptimeSeconds: status.Uptime }),
      status,
      innodbMetrics,
      ...(engineHistoryListLength === undefined ? {} : { engineHistoryListLength }),
    };
  }

  private async readInnodbMetrics(): Promise<Record<string, InnodbMetricReading>> {
    if (!this.innodbMetricsAvailable) return {};
    let rows: Awaited<ReturnType<SqlSession['query']>>;
    try {
      rows = await this.session.query(INNODB_METRICS_QUERY);
    } catch {
      // MySQL before 5.6 has no INNODB_METRICS: status variables are all there is.
      this.innodbMetricsAvailable = false;
      return {};
    }
    const metrics: Record<string, InnodbMetricReading> = {};
    for (const row of rows) {
      const name = column(row, 'NAME');
      const count = numericValue(column(row, 'COUNT'));
      if (typeof name !== 'string' || count === undefined || !enabled(row)) continue;
      metrics[name] = { count, type: textValue(column(row, 'TYPE')) };
    }
    return metrics;
  }

  private async readEngineHistoryListLength(): Promise<number | undefined> {
    const rows = await this.session.query('SHOW ENGINE INNODB STATUS');
    const text = rows.map((row) => textValue(column(row, 'Status'))).join('\n');
    const match = HISTORY_LIST_LENGTH.exec(text);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  }
}

function enabled(row: Readonly<Record<string, unknown>>): boolean {
  const status = column(row, 'STATUS');
  if (status !== undefined) return textValue(status).toLowerCase() === 'enabled';
  return numericValue(column(row, 'ENABLED')) === 1;
}
