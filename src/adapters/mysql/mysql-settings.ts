import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { errorMessage, InputError } from '../../core/errors.js';
import type { Campaign } from '../../model/campaign-schema.js';
import { readCampaignSecret } from '../local/campaign-secret.js';

type MysqlTlsBlock = NonNullable<NonNullable<Campaign['mysql']>['tls']>;

/** A campaign block that says how to log in to MySQL: `mysql` (the servers) or `state` (the store). */
export interface MysqlLoginBlock {
  readonly user: string;
  readonly passwordFile?: string | undefined;
  readonly passwordEnv?: string | undefined;
  readonly connectTimeout: number;
  readonly tls?: MysqlTlsBlock | undefined;
}

/** How dbwave logs in to MySQL: the campaign's `mysql` block with the password read. */
export interface MysqlSettings {
  readonly user: string;
  /** Never logged, journaled or put in an error message. */
  readonly password?: string;
  readonly connectTimeoutMs: number;
  /** Client-side limit per query (default 30s); a timed-out query costs the connection. */
  readonly queryTimeoutMs?: number;
  /** Connect over TLS (`mysql.tls`); plain TCP when absent. */
  readonly tls?: MysqlTlsSettings;
}

/** The campaign's `mysql.tls` with its files read (PEM text). */
export interface MysqlTlsSettings {
  /** The CA to check the server's certificate against; the system's CAs when absent. */
  readonly ca?: string;
  /** Client certificate, for accounts that `REQUIRE X509`. */
  readonly cert?: string;
  /** The client certificate's private key. Never logged, journaled or put in an error message. */
  readonly key?: string;
  /** Check the server's certificate chain and that it names the host; false only encrypts. */
  readonly verifyServer: boolean;
}

/**
 * Reads the campaign's MySQL credentials: `passwordFile` (relative to the campaign file; its
 * trailing newline dropped) or `passwordEnv`, and the `tls` files (relative to the campaign
 * file, checked to be usable PEM now rather than at the first connection). A missing file or
 * variable is the DBA's to fix: an InputError naming the campaign file and the key.
 */
export async function mysqlSettingsFromCampaign(
  mysql: MysqlLoginBlock,
  campaignFile: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  /** The block's key in the campaign, for error messages: `mysql` or `state`. */
  blockKey = 'mysql',
): Promise<MysqlSettings> {
  const password = await readCampaignSecret(
    campaignFile,
    {
      file: [`${blockKey}.passwordFile`, mysql.passwordFile],
      env: [`${blockKey}.passwordEnv`, mysql.passwordEnv],
    },
    env,
  );
  const tls = mysql.tls === undefined ? undefined : await readTls(mysql.tls, campaignFile, blockKey);
  return {
    user: mysql.user,
    ...(password === undefined ? {} : { password }),
    connectTimeoutMs: mysql.connectTimeout,
    ...(tls === undefined ? {} : { tls }),
  };
}

async function readTls(
  tls: MysqlTlsBlock,
  campaignFile: string,
  blockKey: string,
): Promise<MysqlTlsSettings> {
  const read = (key: 'ca' | 'cert' | 'key'): Promise<string | undefined> => {
    const path = tls[key];
    return path === undefined
      ? Promise.resolve(undefined)
      : readBesideCampaign(campaignFile, `${blockKey}.tls.${key}`, path);
  };
  const [ca, cert, key] = await Promise.all([read('ca'), read('cert'), read('key')]);
  // Checked now, so a wrong file is exit 2 before any server is touched, not a failed connection
  // at the first server. OpenSSL's messages name what is wrong, never the PEM's contents.
  const check = (name: 'ca' | 'cert' | 'key', usable: () => unknown): void => {
    try {
      usable();
    } catch (error) {
      throw InputError.of(
        campaignFile,
        `${blockKey}.tls.${name}`,
        `${tls[name]} cannot be used: ${withoutSecrets(errorMessage(error), [key])}`,
      );
    }
  };
  if (ca !== undefined) check('ca', () => new X509Certificate(ca));
  if (cert !== undefined) check('cert', () => new X509Certificate(cert));
  if (key !== undefined) check('key', () => createPrivateKey(key));
  if (cert !== undefined && key !== undefined) check('key', () => createSecureContext({ cert, key }));
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    verifyServer: tls.verifyServer,
  };
}

/** A file the campaign names, relative to the campaign file's folder. */
async function readBesideCampaign(campaignFile: string, key: string, path: string): Promise<string> {
  const file = resolve(dirname(resolve(campaignFile)), path);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw InputError.of(campaignFile, key, `cannot read ${file}: ${errorMessage(error)}`);
  }
}

/**
 * Belt and braces: mysql2 and OpenSSL do not echo a password or a key, and this makes sure no
 * message built from theirs ever does.
 */
export function withoutSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>(
    (masked, secret) => (secret === undefined || secret === '' ? masked : masked.replaceAll(secret, '***')),
    message,
  );
}
