import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorMessage, InputError } from '../../core/errors.js';

/** Where a campaign keeps one secret: a file beside it, or an environment variable, by key path. */
export interface CampaignSecretSource {
  /** `[key, path]`, e.g. `['mysql.passwordFile', 'secrets/mysql.pass']`; wins over `env`. */
  readonly file?: readonly [key: string, path: string | undefined];
  /** `[key, variable]`, e.g. `['ssh.passphraseEnv', 'DBWAVE_KEY_PASS']`. */
  readonly env?: readonly [key: string, name: string | undefined];
}

/**
 * Reads a secret the campaign names, never holds: the file (relative to the campaign file, its
 * trailing newline dropped) or the variable from `env`. A missing file or an unset variable is the
 * DBA's to fix: an InputError naming the campaign file and the key, never the secret.
 */
export async function readCampaignSecret(
  campaignFile: string,
  source: CampaignSecretSource,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const [fileKey, path] = source.file ?? [];
  if (fileKey !== undefined && path !== undefined) {
    const file = resolve(dirname(resolve(campaignFile)), path);
    try {
      return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw InputError.of(campaignFile, fileKey, `cannot read ${file}: ${errorMessage(error)}`);
    }
  }
  const [envKey, name] = source.env ?? [];
  if (envKey === undefined || name === undefined) return undefined;
  const value = env[name];
  if (value === undefined)
    throw InputError.of(campaignFile, envKey, `environment variable ${name} is not set`);
  return value;
}
