import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandOutputStore } from '../../../src/adapters/output/command-output-store.js';
import type { CommandOutputEntry } from '../../../src/engine/ports/server-connectors.js';

function entry(overrides: Partial<CommandOutputEntry> = {}): CommandOutputEntry {
  return {
    server: 'db-01',
    step: 'upgrade',
    label: 'upgrade',
    command: "'/opt/fleetctl' upgrade",
    at: '2026-11-23T14:00:00.000Z',
    exitCode: 0,
    durationMs: 1500,
    stdout: 'switched\n',
    stderr: '',
    ...overrides,
  };
}

describe('CommandOutputStore', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'dbwave-output-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('writes <stateDir>/output/<server>/<seq>-<step>-<label>.log, readable by its owner only', async () => {
    const file = await new CommandOutputStore(stateDir).write(entry());
    expect(file).toBe(join(stateDir, 'output', 'db-01', '000001-upgrade-upgrade.log'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'output', 'db-01')).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("# command: '/opt/fleetctl' upgrade");
    expect(text).toContain('# exit: 0');
    expect(text).toContain('--- stdout ---\nswitched\n');
  });

  it('numbers a server’s commands in order, also when saved concurrently', async () => {
    const store = new CommandOutputStore(stateDir);
    await Promise.all([
      store.save(entry({ step: 'precheck', label: 'df' })),
      store.save(entry({ step: 'precheck', label: 'installedVersion' })),
      store.save(entry({ server: 'db-02', step: 'precheck', label: 'df' })),
    ]);
    expect(readdirSync(join(stateDir, 'output', 'db-01')).sort()).toEqual([
      '000001-precheck-df.log',
      '000002-precheck-installedVersion.log',
    ]);
    expect(readdirSync(join(stateDir, 'output', 'db-02'))).toEqual(['000001-precheck-df.log']);
  });

  it('carries on after the files a previous run left (resume)', async () => {
    await new CommandOutputStore(stateDir).save(entry({ step: 'shutdown', label: 'stop' }));
    const file = await new CommandOutputStore(stateDir).write(entry({ step: 'start', label: 'start' }));
    expect(file.endsWith('000002-start-start.log')).toBe(true);
  });

  it('says when a command ended without an exit status', async () => {
    const file = await new CommandOutputStore(stateDir).write(entry({ exitCode: null }));
    expect(readFileSync(file, 'utf8')).toContain('# exit: none');
  });

  it('keeps a hostile server name inside the output folder', () => {
    const store = new CommandOutputStore(stateDir);
    expect(store.pathFor('../../etc', 1, 'x/y', 'z')).toBe(
      join(stateDir, 'output', '.._.._etc', '000001-x_y-z.log'),
    );
  });
});
