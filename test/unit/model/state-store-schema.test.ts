import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveStateDir } from '../../../src/engine/lock/state-dir.js';
import { campaignSchema } from '../../../src/model/campaign-schema.js';

/** The sample campaign the README walks through, without its own state keys. */
const {
  stateDir: _stateDir,
  state: _state,
  ...minimal
} = parseYaml(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'waves', 'mysql-5.1.58.yaml'), 'utf8'),
) as Record<string, unknown>;

function parse(extra: object) {
  return campaignSchema.safeParse({ ...minimal, ...extra });
}

describe('the campaign state key', () => {
  it('is the file store by default, where stateDir says', () => {
    const campaign = campaignSchema.parse(minimal);
    expect(campaign.state).toBeUndefined();
    expect(resolveStateDir('/ops/campaign.yaml', campaign)).toBe(`/ops/.dbwave/${String(minimal.campaign)}`);
    expect(resolveStateDir('/ops/campaign.yaml', campaignSchema.parse({ ...minimal, stateDir: 's' }))).toBe(
      '/ops/s',
    );
  });

  it('names the file store dir as stateDir does', () => {
    const campaign = campaignSchema.parse({ ...minimal, state: { store: 'file', dir: 'shared/state' } });
    expect(resolveStateDir('/ops/campaign.yaml', campaign)).toBe('/ops/shared/state');
  });

  it('takes a MySQL store with its defaults: port 3306, a 30 s lease', () => {
    const campaign = campaignSchema.parse({
      ...minimal,
      state: {
        store: 'mysql',
        host: 'db-admin',
        user: 'dbwave',
        passwordEnv: 'STORE_PW',
        database: 'dbwave',
      },
    });
    expect(campaign.state).toMatchObject({
      store: 'mysql',
      port: 3306,
      lease: 30_000,
      connectTimeout: 5_000,
    });
  });

  // state and stateDir together: the loader refuses it (test/fixtures/bad-inputs/cases/state-and-state-dir.yaml).
  it('refuses an unknown store and a database name SQL would need quoted', () => {
    expect(parse({ state: { store: 'redis' } }).success).toBe(false);
    const badName = parse({ state: { store: 'mysql', host: 'h', user: 'u', database: 'dbwave-state' } });
    expect(badName.error?.issues[0]).toMatchObject({ path: ['state', 'database'] });
  });
});
