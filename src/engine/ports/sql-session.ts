/** A MySQL connection as the engine sees it (mysql2 adapter). Rows come back as plain objects. */
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlSession {
  query(sql: string, params?: readonly unknown[]): Promise<readonly SqlRow[]>;
  close(): Promise<void>;
}
