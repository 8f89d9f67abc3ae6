import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorMessage, InputError } from '../../core/errors.js';
import type { Campaign } from '../../model/campaign-schema.js';

/** How dbwave logs in to MySQL: the campaign's `mysql` block with the password read. */
export interface MysqlSettings {
  readonly user: string;
  /** Never logged, journaled or put in an error message. */
  readonly password?: string;
  readonly connectTimeoutMs: number;
  /** Client-side limit per query (default 30s); a timed-out query costs the connection. */
  readonly queryTimeoutMs?: number;
}

/**
 * Reads the campaign's MySQL credentials: `passwordFile` (relative to the campaign file; its
 * trailing newline dropped) or `passwordEnv`. A missing file or variable is the DBA's to fix:
 * an InputError naming the campaign file and the key.
 */
export async function mysqlSettingsFromCampaign(
  mysql: NonNullable<Campaign['mysql']>,
  campaignFile: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<MysqlSettings> {
  const base = { user: mysql.user, connectTimeoutMs: mysql.connectTimeout };
  if (mysql.passwordFile !== undefined) {
    const file = resolve(dirname(resolve(campaignFile)), mysql.passwordFile);
    try {
      return { ...base, password: (await readFile(file, 'utf8')).replace(/\r?\n$/, '') };
    } catch (error) {
      throw InputError.of(campaignFile, 'mysql.passwordFile', `cannot read ${file}: ${errorMessage(error)}`);
    }
  }
  if (mysql.passwordEnv !== undefined) {
    const password = env[mysql.passwordEnv];
    if (password === undefined) {
      throw InputError.of(
        campaignFile,
        'mysql.passwordEnv',
        `environment variable ${mysql.passwordEnv} is not set`,
      );
    }
    return { ...base, password };
  }
  return base;
}
