import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';

/**
 * The users' application behind HAProxy: one HTTP listener per shard, and every request really
 * writes and reads that shard's database, so a client sees exactly what users would: 200 while
 * the shard's MariaDB serves, 502 when it does not, and HAProxy's 503 while the window is open.
 * `?hold=SECONDS` holds the request (and its session through HAProxy) that long: a slow query.
 *
 * Run as its own detached process by `up`: `node --import tsx scripts/fleet/shard-app.ts CONFIG`.
 */

export interface ShardAppShard {
  readonly shard: string;
  readonly server: string;
  /** The app's own port for this shard, on 127.0.0.1. */
  readonly port: number;
  readonly mysqlHost: string;
  readonly mysqlPort: number;
  readonly database: string;
}

export interface ShardAppConfig {
  readonly user: string;
  readonly password: string;
  readonly shards: readonly ShardAppShard[];
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}

/** `?hold=SECONDS`: the request holds its session that long (a slow query), at most this. */
const MAX_HOLD_SECONDS = 60;

/** A long-held user request, as a slow report would be: `SELECT SLEEP(n)` before the answer. */
function holdSeconds(url: string): number {
  const hold = Number(new URL(url, 'http://shard').searchParams.get('hold') ?? 0);
  return Number.isFinite(hold) && hold > 0 ? Math.min(hold, MAX_HOLD_SECONDS) : 0;
}

async function serve(
  pool: Pool,
  shard: ShardAppShard,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const path = (request.url ?? '/').slice(0, 255);
    const hold = holdSeconds(request.url ?? '/');
    if (hold > 0) await pool.query({ sql: 'SELECT SLEEP(?)', timeout: (hold + 5) * 1_000 }, [hold]);
    await pool.query({ sql: 'INSERT INTO requests (path, served_by) VALUES (?, ?)', timeout: 3_000 }, [
      path,
      shard.server,
    ]);
    const [rows] = await pool.query<RowDataPacket[]>({
      sql: 'SELECT COUNT(*) AS requests, @@version AS version FROM requests',
      timeout: 3_000,
    });
    const row = rows[0];
    reply(response, 200, {
      shard: shard.shard,
      server: shard.server,
      version: row?.version,
      requests: row?.requests,
    });
  } catch (error) {
    reply(response, 502, { shard: shard.shard, server: shard.server, error: (error as Error).message });
  }
}

function main(configFile: string): void {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as ShardAppConfig;
  for (const shard of config.shards) {
    const pool = createPool({
      host: shard.mysqlHost,
      port: shard.mysqlPort,
      user: config.user,
      password: config.password,
      database: shard.database,
      connectionLimit: 4,
      connectTimeout: 2_000,
      enableKeepAlive: true,
    });
    // A pool whose server restarted reports the dead connections here; the next query reconnects.
    pool.on('connection', (connection) => connection.on('error', () => undefined));
    const server = createServer((request, response) => {
      void serve(pool, shard, request, response);
    });
    server.listen(shard.port, '127.0.0.1');
  }
  console.log(`shard app serving ${config.shards.length} shard(s), pid ${process.pid}`);
}

const configFile = process.argv[2];
if (!configFile) {
  console.error('usage: shard-app.ts CONFIG.json');
  process.exit(2);
}
main(configFile);
