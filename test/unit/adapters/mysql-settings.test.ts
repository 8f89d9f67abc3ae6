import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mysqlConnectionOptions, socketNamingIp } from '../../../src/adapters/mysql/mysql-session.js';
import { mysqlSettingsFromCampaign } from '../../../src/adapters/mysql/mysql-settings.js';
import { InputError } from '../../../src/core/errors.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';
import { serverNamed } from './server-fixtures.js';

describe('mysqlSettingsFromCampaign', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'dbwave-mysql-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const base = { user: 'dbwave', port: 3306, connectTimeout: 5_000 };

  it('reads the password file relative to the campaign file, without its trailing newline', async () => {
    writeFileSync(join(folder, 'mysql.password'), 's3cret\n');
    const settings = await mysqlSettingsFromCampaign(
      { ...base, passwordFile: 'mysql.password' },
      join(folder, 'campaign.yaml'),
    );
    expect(settings).toEqual({ user: 'dbwave', password: 's3cret', connectTimeoutMs: 5_000 });
  });

  it('reads the password from the named environment variable', async () => {
    const settings = await mysqlSettingsFromCampaign({ ...base, passwordEnv: 'DB_PW' }, 'c.yaml', {
      DB_PW: 'pw',
    });
    expect(settings.password).toBe('pw');
  });

  it('names the campaign file and key when the password file is missing', async () => {
    const reading = mysqlSettingsFromCampaign(
      { ...base, passwordFile: 'nope' },
      join(folder, 'campaign.yaml'),
    );
    await expect(reading).rejects.toBeInstanceOf(InputError);
    await expect(reading).rejects.toThrow(/campaign\.yaml: mysql\.passwordFile: cannot read/);
  });

  it('names the variable when it is not set', async () => {
    await expect(mysqlSettingsFromCampaign({ ...base, passwordEnv: 'DB_PW' }, 'c.yaml', {})).rejects.toThrow(
      /c\.yaml: mysql\.passwordEnv: environment variable DB_PW is not set/,
    );
  });
});

describe('mysql.tls', () => {
  let folder: string;
  let campaignFile: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'dbwave-mysql-tls-'));
    campaignFile = join(folder, 'campaign.yaml');
    for (const name of ['ca', 'client', 'other']) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          `/CN=${name}`,
        ].concat(['-keyout', join(folder, `${name}.key`), '-out', join(folder, `${name}.crt`)]),
        { stdio: 'ignore' },
      );
    }
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const base = { user: 'dbwave', port: 3306, connectTimeout: 5_000 };
  const pem = (name: string): string => readFileSync(join(folder, name), 'utf8');

  it('reads the ca, cert and key files relative to the campaign file, checking the server by default', async () => {
    const tls = campaignFields.shape.mysql.unwrap().shape.tls.unwrap().parse({
      ca: 'ca.crt',
      cert: 'client.crt',
      key: 'client.key',
    });
    const settings = await mysqlSettingsFromCampaign({ ...base, tls }, campaignFile);
    expect(settings.tls).toEqual({
      ca: pem('ca.crt'),
      cert: pem('client.crt'),
      key: pem('client.key'),
      verifyServer: true,
    });
    expect(mysqlConnectionOptions(serverNamed('db-01'), settings).ssl).toEqual({
      ca: pem('ca.crt'),
      cert: pem('client.crt'),
      key: pem('client.key'),
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
  });

  it('only encrypts when verifyServer is false: mysql2 is told not to reject an unknown certificate', async () => {
    const settings = await mysqlSettingsFromCampaign({ ...base, tls: { verifyServer: false } }, campaignFile);
    expect(mysqlConnectionOptions(serverNamed('db-01'), settings).ssl).toEqual({
      rejectUnauthorized: false,
      verifyIdentity: false,
    });
  });

  it('gives mysql2 a socket naming the IP only when it must check a server given by IP', async () => {
    const verifying = await mysqlSettingsFromCampaign({ ...base, tls: { verifyServer: true } }, campaignFile);
    const encrypting = await mysqlSettingsFromCampaign(
      { ...base, tls: { verifyServer: false } },
      campaignFile,
    );
    expect(mysqlConnectionOptions(serverNamed('db-01'), verifying).stream).toBeTypeOf('function');
    expect(mysqlConnectionOptions(serverNamed('db-01', { host: '::1' }), verifying).stream).toBeTypeOf(
      'function',
    );
    // mysql2 hands Node a host name as servername itself, and Node checks that.
    expect(
      mysqlConnectionOptions(serverNamed('db-01', { host: 'db-01.example' }), verifying),
    ).not.toHaveProperty('stream');
    expect(mysqlConnectionOptions(serverNamed('db-01'), encrypting)).not.toHaveProperty('stream');
  });

  it('records the IP on that socket, where Node looks for the name to check the certificate against', async () => {
    const listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const socket = socketNamingIp('127.0.0.1', address.port);
    try {
      expect(Reflect.get(socket, '_host')).toBe('127.0.0.1');
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    } finally {
      socket.destroy();
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('connects without TLS when there is no mysql.tls, and never enables a clear-text password', async () => {
    const settings = await mysqlSettingsFromCampaign({ ...base, passwordEnv: 'PW' }, campaignFile, {
      PW: 'pw',
    });
    const options = mysqlConnectionOptions(serverNamed('db-01'), settings);
    expect(options.ssl).toBeUndefined();
    expect(options).not.toHaveProperty('enableCleartextPlugin');
    expect(options).not.toHaveProperty('authPlugins');
    expect(options).not.toHaveProperty('authSwitchHandler');
  });

  it('names the campaign file and key when a TLS file is missing (exit 2)', async () => {
    const reading = mysqlSettingsFromCampaign(
      { ...base, tls: { ca: 'nope.crt', verifyServer: true } },
      campaignFile,
    );
    await expect(reading).rejects.toBeInstanceOf(InputError);
    await expect(reading).rejects.toThrow(/campaign\.yaml: mysql\.tls\.ca: cannot read .*nope\.crt/);
  });

  it('refuses a file that is not what its key says, without ever showing the key', async () => {
    writeFileSync(join(folder, 'garbage.key'), 'not-a-key hunter2-private-material\n');
    const cases = [
      { tls: { ca: 'client.key', verifyServer: true }, key: 'mysql.tls.ca' },
      { tls: { cert: 'client.key', key: 'client.key', verifyServer: true }, key: 'mysql.tls.cert' },
      { tls: { cert: 'client.crt', key: 'garbage.key', verifyServer: true }, key: 'mysql.tls.key' },
      { tls: { cert: 'client.crt', key: 'other.key', verifyServer: true }, key: 'mysql.tls.key' },
    ];
    for (const { tls, key } of cases) {
      const error = await mysqlSettingsFromCampaign({ ...base, tls }, campaignFile).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InputError);
      const message = String(error);
      expect(message).toContain(`campaign.yaml: ${key}: `);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('PRIVATE KEY');
      expect(message).not.toContain(pem('client.key').split('\n')[1]);
    }
  });

  it('refuses a cert without its key when the campaign is read', () => {
    const parsed = campaignFields.shape.mysql.unwrap().safeParse({ user: 'u', tls: { cert: 'client.crt' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('cert and key go together: give both or neither');
  });
});
