import type { ResolvedServer } from '../../model/resolved-server.js';
import { connectMysql, MysqlError } from './mysql-session.js';
import type { MysqlSettings } from './mysql-settings.js';

export type MysqlReachability =
  | { readonly reachable: true; readonly version: string }
  | { readonly reachable: false; readonly error: MysqlError };

/**
 * Whether the server answers SQL right now, and with which version: one short-lived
 * connection, `SELECT VERSION()`. Never throws for an unreachable server; that is the answer.
 */
export async function probeMysql(
  server: ResolvedServer,
  settings: MysqlSettings,
): Promise<MysqlReachability> {
  try {
    const session = await connectMysql(server, settings);
    try {
      const [row] = await session.query('SELECT VERSION() AS version');
      return { reachable: true, version: String(row?.version ?? '') };
    } finally {
      await session.close();
    }
  } catch (error) {
    if (error instanceof MysqlError) return { reachable: false, error };
    throw error;
  }
}
