import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mysqlSettingsFromCampaign } from '../../../src/adapters/mysql/mysql-settings.js';
import { InputError } from '../../../src/core/errors.js';

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
