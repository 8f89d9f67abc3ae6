import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignChildEnvironment } from '../../../src/adapters/local/child-environment.js';
import { sshSettingsFromCampaign } from '../../../src/adapters/ssh/ssh-config.js';
import { ExitStatus, exitStatusFor, InputError } from '../../../src/core/errors.js';
import { campaignFields } from '../../../src/model/campaign-schema.js';

/** The campaign's `ssh` block read the way `dbwave run` reads it, with throwaway keys and files. */

let folder: string;
let campaignFile: string;
const PASSPHRASE = 'correct horse battery staple';

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'dbwave-ssh-settings-'));
  campaignFile = join(folder, 'campaign.yaml');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', join(folder, 'encrypted')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(folder, 'plain')]);
  writeFileSync(join(folder, 'passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
  writeFileSync(join(folder, 'wrong'), 'not it\n', { mode: 0o600 });
  writeFileSync(join(folder, 'config'), 'Host db*\n  User dba\n');
  writeFileSync(join(folder, 'bad-config'), 'Host db*\n  User dba\n  Port ssh\n');
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function sshBlock(ssh: Record<string, unknown>) {
  const parsed = campaignFields.shape.ssh.parse(ssh);
  if (parsed === undefined) throw new Error('no ssh block');
  return parsed;
}

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('sshSettingsFromCampaign', () => {
  it('reads the passphrase from its file, dropping the trailing newline, and checks it opens the key', async () => {
    const settings = await sshSettingsFromCampaign(
      sshBlock({ identity: 'encrypted', passphraseFile: 'passphrase', knownHosts: 'kh' }),
      campaignFile,
      1_000,
      {},
    );
    expect(settings.passphrase).toBe(PASSPHRASE);
    expect(settings.identityFile).toBe(join(folder, 'encrypted'));
  });

  it('reads the passphrase from the variable passphraseEnv names', async () => {
    const settings = await sshSettingsFromCampaign(
      sshBlock({ identity: 'encrypted', passphraseEnv: 'DBWAVE_TEST_KEY_PASS' }),
      campaignFile,
      1_000,
      { DBWAVE_TEST_KEY_PASS: PASSPHRASE },
    );
    expect(settings.passphrase).toBe(PASSPHRASE);
  });

  it('refuses a passphrase that does not open the key: exit 2, naming the key, never the passphrase', async () => {
    const error = await inputError(
      sshSettingsFromCampaign(
        sshBlock({ identity: 'encrypted', passphraseFile: 'wrong' }),
        campaignFile,
        1_000,
        {},
      ),
    );
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect(error.issues).toEqual([
      {
        file: campaignFile,
        key: 'ssh.passphraseFile',
        message: `does not decrypt ${join(folder, 'encrypted')}`,
      },
    ]);
    expect(error.message).not.toContain('not it');
  });

  it('names an unset passphrase variable and an unreadable passphrase file', async () => {
    const unset = await inputError(
      sshSettingsFromCampaign(sshBlock({ passphraseEnv: 'NOPE_NOT_SET' }), campaignFile, 1_000, {}),
    );
    expect(unset.issues[0]).toMatchObject({
      key: 'ssh.passphraseEnv',
      message: 'environment variable NOPE_NOT_SET is not set',
    });
    const missing = await inputError(
      sshSettingsFromCampaign(sshBlock({ passphraseFile: 'nowhere' }), campaignFile, 1_000, {}),
    );
    expect(missing.issues[0]?.key).toBe('ssh.passphraseFile');
  });

  it('uses SSH_AUTH_SOCK unless agent is false, and insists on it when agent is true', async () => {
    const env = { SSH_AUTH_SOCK: '/run/agent.sock' };
    expect((await sshSettingsFromCampaign(sshBlock({}), campaignFile, 1_000, env)).agentSocket).toBe(
      '/run/agent.sock',
    );
    expect(
      (await sshSettingsFromCampaign(sshBlock({ agent: false }), campaignFile, 1_000, env)).agentSocket,
    ).toBeUndefined();
    const error = await inputError(
      sshSettingsFromCampaign(sshBlock({ agent: true }), campaignFile, 1_000, {}),
    );
    expect(error.issues[0]).toMatchObject({ file: campaignFile, key: 'ssh.agent' });
  });

  it('reads ssh_config (~ is HOME), and reports its mistakes with its own file and line', async () => {
    const settings = await sshSettingsFromCampaign(sshBlock({ config: '~/config' }), campaignFile, 1_000, {
      HOME: folder,
    });
    expect(settings.sshConfig?.file).toBe(join(folder, 'config'));
    expect(settings.local?.home).toBe(folder);
    const error = await inputError(
      sshSettingsFromCampaign(sshBlock({ config: 'bad-config' }), campaignFile, 1_000, {}),
    );
    expect(error.message).toBe(`${join(folder, 'bad-config')}:line 3: Port: "ssh" is not a port (1-65535)`);
    const missing = await inputError(
      sshSettingsFromCampaign(sshBlock({ config: 'nope' }), campaignFile, 1_000, {}),
    );
    expect(missing.issues[0]?.key).toBe('ssh.config');
  });

  it('names the campaign key of a ProxyJump it cannot read', async () => {
    const error = await inputError(
      sshSettingsFromCampaign(sshBlock({ proxyJump: 'bastion:0' }), campaignFile, 1_000, {}),
    );
    expect(error.issues).toEqual([
      { file: campaignFile, key: 'ssh.proxyJump', message: 'hop 1 ("bastion:0"): port "0" is not 1-65535' },
    ]);
  });

  it('never hands the passphrase variable to a local command, even when the campaign passes it on', () => {
    const campaign = {
      ssh: sshBlock({ passphraseEnv: 'KEY_PASS' }),
      mysql: undefined,
      notify: undefined,
      commands: { environment: ['KEY_PASS', 'SSH_AUTH_SOCK'] },
    } as unknown as Parameters<typeof campaignChildEnvironment>[0];
    const environment = campaignChildEnvironment(campaign, {
      KEY_PASS: PASSPHRASE,
      SSH_AUTH_SOCK: '/s',
      PATH: '/bin',
    });
    expect(environment.KEY_PASS).toBeUndefined();
    expect(Object.values(environment)).not.toContain(PASSPHRASE);
  });
});
