import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { connectMysql, MysqlError, type MysqlSession } from '../../../src/adapters/mysql/mysql-session.js';
import { mysqlSettingsFromCampaign } from '../../../src/adapters/mysql/mysql-settings.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';
import { newestCachedMariadb, type PrivateMariadb, startPrivateMariadb } from '../support/private-mariadb.js';
import { makeThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki.js';

/**
 * `mysql.tls` against a real server: a mariadbd of this file's own (never a fleet server, which
 * other tests share), with a throwaway CA, `require_secure_transport=ON`, an account that
 * `REQUIRE SSL` and one that `REQUIRE X509`, reached only through dbwave's own adapter
 * (`mysqlSettingsFromCampaign` on a campaign's `mysql` block, then `connectMysql`).
 *
 * `caching_sha2_password`: MariaDB 10.11 (what the fleet caches on Debian 12) has no such
 * plugin, nor any plugin library in the fleet's server-core prefix; the case below asks the
 * server and is skipped, saying so, where the plugin is absent.
 *
 * Needs the MariaDB binaries the fleet unpacks into its cache (`npm run fleet -- up` once, or
 * the integration suite's global setup, which does it); skipped with that reason otherwise.
 */

const build = newestCachedMariadb();
const skipReason =
  build === undefined
    ? ` (skipped: no MariaDB prefix cached under ${join(new FleetPaths().cache, 'prefixes')}; bring the fleet up once with npm run fleet -- up)`
    : '';
if (skipReason !== '') console.warn(`mysql-tls.test.ts${skipReason}`);

const START_LIMIT_MS = 180_000;
const CONNECT_TIMEOUT = '5s';

/** Where a test connects: a host name or IP, and a private server's port. */
interface Where {
  readonly host?: string;
  readonly port?: number | undefined;
}

describe.skipIf(build === undefined)(`mysql.tls against a private mariadbd${skipReason}`, () => {
  // Made in beforeAll: a skipped describe still runs its body to collect the tests.
  let folder = '';
  let campaignFile = '';
  const tlsPassword = `tls-${randomBytes(12).toString('hex')}`;
  const x509Password = `x509-${randomBytes(12).toString('hex')}`;
  const plainPassword = `plain-${randomBytes(12).toString('hex')}`;
  let server: PrivateMariadb | undefined;
  /** Servers a single test starts for itself; stopped with the main one. */
  const others: PrivateMariadb[] = [];
  let pki: ThrowawayPki;
  let hasCachingSha2 = false;

  beforeAll(async () => {
    if (build === undefined) return;
    folder = mkdtempSync(join(tmpdir(), 'dbwave-mysql-tls-'));
    campaignFile = join(folder, 'campaign.yaml');
    pki = await makeThrowawayPki(folder);
    writeFileSync(join(folder, 'tls.password'), `${tlsPassword}\n`, { mode: 0o600 });
    writeFileSync(join(folder, 'x509.password'), `${x509Password}\n`, { mode: 0o600 });
    writeFileSync(join(folder, 'plain.password'), `${plainPassword}\n`, { mode: 0o600 });
    const started = await startPrivateMariadb(
      {
        build,
        folder,
        config: [
          `ssl_ca=${pki.caCert}`,
          `ssl_cert=${pki.serverCert}`,
          `ssl_key=${pki.serverKey}`,
          'require_secure_transport=ON',
        ],
        startLimitMs: START_LIMIT_MS,
      },
      (handle) => {
        server = handle;
      },
    );
    const root = await started.root();
    try {
      await root.query(`CREATE USER 'dbwave_tls'@'%' IDENTIFIED BY ? REQUIRE SSL`, [tlsPassword]);
      await root.query(`CREATE USER 'dbwave_x509'@'%' IDENTIFIED BY ? REQUIRE X509`, [x509Password]);
      // No REQUIRE of its own: only require_secure_transport stands between it and plain TCP.
      await root.query(`CREATE USER 'dbwave_plain'@'%' IDENTIFIED BY ?`, [plainPassword]);
      await root.query(`GRANT SELECT ON mysql.* TO 'dbwave_tls'@'%', 'dbwave_x509'@'%', 'dbwave_plain'@'%'`);
      const [plugins] = await root.query(
        `SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'caching_sha2_password'`,
      );
      hasCachingSha2 = Array.isArray(plugins) && plugins.length > 0;
    } finally {
      await root.end();
    }
  }, START_LIMIT_MS + 60_000);

  afterAll(async () => {
    try {
      await Promise.allSettled([server, ...others].map((each) => each?.stop()));
    } finally {
      if (folder !== '') rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  /** Another private mariadbd, for one test, with one account (`CREATE USER ... <rest>`). */
  async function anotherServer(
    name: string,
    config: readonly string[],
    account: { user: string; password: string; require: string },
  ): Promise<PrivateMariadb> {
    if (build === undefined) throw new Error('no cached MariaDB');
    const another = await startPrivateMariadb(
      { build, folder: join(folder, name), config, startLimitMs: START_LIMIT_MS },
      (handle) => others.push(handle),
    );
    const root = await another.root();
    try {
      await root.query(`CREATE USER ?@'%' IDENTIFIED BY ? ${account.require}`, [
        account.user,
        account.password,
      ]);
    } finally {
      await root.end();
    }
    return another;
  }

  /** A ResolvedServer for a private server (the main one by default), by IP or by name. */
  function target({ host = '127.0.0.1', port = server?.port }: Where = {}): ResolvedServer {
    if (port === undefined) throw new Error('the private mariadbd did not start');
    return {
      name: 'tls-private',
      class: 'tls',
      host,
      port,
      sshPort: 22,
      transport: 'local',
      datacenter: 'local',
      vars: {},
    };
  }

  /** The campaign's `mysql` block, validated by dbwave's schema (so its defaults apply). */
  function mysqlBlock(block: Record<string, unknown>) {
    return campaignFields.shape.mysql.unwrap().parse({ connectTimeout: CONNECT_TIMEOUT, ...block });
  }

  async function connect(block: Record<string, unknown>, where?: Where): Promise<MysqlSession> {
    const settings = await mysqlSettingsFromCampaign(mysqlBlock(block), campaignFile, {});
    return connectMysql(target(where), settings);
  }

  async function refusal(block: Record<string, unknown>, where?: Where): Promise<MysqlError> {
    const error = await connect(block, where).then(
      async (session) => {
        await session.close();
        throw new Error('expected the connection to be refused');
      },
      (caught: unknown) => caught,
    );
    if (!(error instanceof MysqlError)) throw error;
    return error;
  }

  /** What the server says of a session dbwave opens: logs in, asks, logs out. */
  async function login(
    block: Record<string, unknown>,
    where?: Where,
  ): Promise<{ cipher: string; tlsVersion: string; user: string }> {
    const session = await connect(block, where);
    try {
      const status = async (name: string): Promise<string> => {
        const [row] = await session.query('SHOW SESSION STATUS LIKE ?', [name]);
        return String(row?.Value ?? '');
      };
      const [row] = await session.query('SELECT CURRENT_USER() AS user');
      return {
        cipher: await status('Ssl_cipher'),
        tlsVersion: await status('Ssl_version'),
        user: String(row?.user),
      };
    } finally {
      await session.close();
    }
  }

  /** Nothing secret in the message, nor anywhere in the error as printed (cause included). */
  function expectNoSecrets(error: MysqlError): void {
    const clientKey = readFileSync(pki.clientKey, 'utf8');
    const keyBody = clientKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
    for (const text of [error.message, inspect(error, { depth: 10 })]) {
      expect(text).not.toContain(tlsPassword);
      expect(text).not.toContain(x509Password);
      expect(text).not.toContain(plainPassword);
      expect(text).not.toContain('PRIVATE KEY');
      for (const line of keyBody) expect(text).not.toContain(line);
    }
  }

  it('connects with tls.ca and verifyServer, over an encrypted session', async () => {
    const session = await login({
      user: 'dbwave_tls',
      passwordFile: 'tls.password',
      tls: { ca: pki.caCert, verifyServer: true },
    });
    expect(session.cipher).not.toBe('');
    expect(session.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    expect(session.user).toBe('dbwave_tls@%');
  });

  it('takes tls files relative to the campaign file, verifying by default', async () => {
    const session = await login({ user: 'dbwave_tls', passwordFile: 'tls.password', tls: { ca: 'ca.crt' } });
    expect(session.cipher).not.toBe('');
  });

  it('logs in as a REQUIRE X509 account with the client certificate and key', async () => {
    const session = await login({
      user: 'dbwave_x509',
      passwordFile: 'x509.password',
      tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey, verifyServer: true },
    });
    expect(session.cipher).not.toBe('');
    expect(session.user).toBe('dbwave_x509@%');
  });

  it('is refused as a REQUIRE X509 account without a client certificate, not retried', async () => {
    const error = await refusal({
      user: 'dbwave_x509',
      passwordFile: 'x509.password',
      tls: { ca: pki.caCert, verifyServer: true },
    });
    expect(error.mysqlCode).toBe('ER_ACCESS_DENIED_ERROR');
    expect(error.retryable).toBe(false);
    expectNoSecrets(error);
  });

  it('refuses, with verifyServer, a server whose certificate does not name the host connected to', async () => {
    // The certificate names IP 127.0.0.1 only; `localhost` reaches the same server by name.
    const error = await refusal(
      {
        user: 'dbwave_x509',
        passwordFile: 'x509.password',
        tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey, verifyServer: true },
      },
      { host: 'localhost' },
    );
    expect(error.message).toMatch(/^localhost: mysql connection to localhost:\d+ failed: /);
    expect(error.message).toMatch(/does not match certificate's altnames/);
    expectNoSecrets(error);
  });

  it(
    'refuses, with verifyServer, a certificate for localhost from 127.0.0.1, though the CA signed it',
    async () => {
      // mysql2 gives Node no name to check for an IP, and Node then checks `localhost`: without
      // dbwave's own socket (mysql-session.ts socketNamingIp) this impostor was let in.
      const impostor = await anotherServer(
        'localhost-cert',
        [`ssl_ca=${pki.caCert}`, `ssl_cert=${pki.localhostCert}`, `ssl_key=${pki.localhostKey}`],
        { user: 'dbwave_tls', password: tlsPassword, require: 'REQUIRE SSL' },
      );
      const account = { user: 'dbwave_tls', passwordFile: 'tls.password', tls: { ca: pki.caCert } };
      const error = await refusal(account, { port: impostor.port });
      expect(error.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
      expectNoSecrets(error);
      // The same server, reached by the name its certificate gives, is fine.
      expect((await login(account, { host: 'localhost', port: impostor.port })).cipher).not.toBe('');
    },
    START_LIMIT_MS,
  );

  it('refuses, with verifyServer, a server whose certificate another CA signed', async () => {
    const error = await refusal({
      user: 'dbwave_x509',
      passwordFile: 'x509.password',
      tls: { ca: pki.otherCaCert, cert: pki.clientCert, key: pki.clientKey, verifyServer: true },
    });
    expect(error.message).toMatch(/^127\.0\.0\.1: mysql connection to 127\.0\.0\.1:\d+ failed: /);
    expect(error.message).toMatch(/certificate/i);
    expectNoSecrets(error);
  });

  it('only encrypts with verifyServer false: another CA and a wrong name both connect', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const session = await login(
        {
          user: 'dbwave_tls',
          passwordFile: 'tls.password',
          tls: { ca: pki.otherCaCert, verifyServer: false },
        },
        { host },
      );
      expect(session.cipher).not.toBe('');
    }
  });

  it('is refused without tls by a server that requires secure transport, saying TLS may be why', async () => {
    // MariaDB (10.11, like its own client shows) answers require_secure_transport and REQUIRE SSL
    // with a bare "Access denied", as for a wrong password: dbwave's message adds the likely cause.
    for (const account of [
      { user: 'dbwave_plain', passwordFile: 'plain.password' },
      { user: 'dbwave_tls', passwordFile: 'tls.password' },
    ]) {
      const error = await refusal(account);
      expect(error.message).toMatch(/^127\.0\.0\.1: mysql connection to 127\.0\.0\.1:\d+ failed: /);
      expect(error.message).toMatch(/Access denied|insecure transport are prohibited/);
      expect(error.message).toMatch(/without TLS \(no mysql\.tls\)/);
      expect(error.retryable).toBe(false);
      expectNoSecrets(error);
    }
  });

  it('says nothing of TLS when a wrong password is refused over TLS', async () => {
    writeFileSync(join(folder, 'wrong.password'), 'not-the-password');
    const error = await refusal({
      user: 'dbwave_tls',
      passwordFile: 'wrong.password',
      tls: { ca: pki.caCert, verifyServer: true },
    });
    expect(error.mysqlCode).toBe('ER_ACCESS_DENIED_ERROR');
    expect(error.message).not.toMatch(/TLS/);
    expect(error.message).not.toContain('not-the-password');
  });

  it('reports a closed port as unreachable and retryable over TLS too', async () => {
    const error = await refusal(
      { user: 'dbwave_tls', passwordFile: 'tls.password', tls: { ca: pki.caCert } },
      { port: 1 },
    );
    expect(error.mysqlCode).toBe('ECONNREFUSED');
    expect(error.retryable).toBe(true);
  });

  it(
    'with tls, refuses a server that offers no TLS rather than log in in plain',
    async () => {
      const plain = await anotherServer('without-tls', [], {
        user: 'dbwave_plain',
        password: plainPassword,
        require: '',
      });
      const error = await refusal(
        { user: 'dbwave_plain', passwordFile: 'plain.password', tls: { ca: pki.caCert } },
        { port: plain.port },
      );
      expect(error.message).toMatch(/Server does not support secure connection/);
      expect(error.mysqlCode).toBe('HANDSHAKE_NO_SSL_SUPPORT');
      expect(error.retryable).toBe(false);
      expectNoSecrets(error);
      // Refused before authenticating: the server saw no login attempt at all.
      expect(readFileSync(plain.paths.errorLog, 'utf8')).not.toMatch(/Access denied for user 'dbwave_plain'/);
    },
    START_LIMIT_MS,
  );

  it('logs in with caching_sha2_password over TLS where the server has that plugin', async (context) => {
    if (!hasCachingSha2) {
      context.skip(`MariaDB ${build?.version} has no caching_sha2_password plugin`);
      return;
    }
    const password = `sha2-${randomBytes(12).toString('hex')}`;
    writeFileSync(join(folder, 'sha2.password'), password);
    const root = await server?.root();
    try {
      await root?.query(
        `CREATE USER 'dbwave_sha2'@'%' IDENTIFIED VIA caching_sha2_password USING PASSWORD(?) REQUIRE SSL`,
        [password],
      );
    } finally {
      await root?.end();
    }
    // The first login after the account is made is a full authentication: the password itself,
    // which mysql2 sends only inside TLS.
    const session = await login({
      user: 'dbwave_sha2',
      passwordFile: 'sha2.password',
      tls: { ca: pki.caCert, verifyServer: true },
    });
    expect(session.cipher).not.toBe('');
    expect(session.user).toBe('dbwave_sha2@%');
  });
});
