import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import {
  checkTemplate,
  renderCommand,
  renderTemplate,
  type TemplateCampaign,
  templatePlaceholders,
  templateVariables,
} from '../../../src/model/command-template.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';

const server: ResolvedServer = {
  name: 'db-01',
  class: 'ix-24',
  host: '127.0.1.1',
  port: 3306,
  sshPort: 2222,
  transport: 'ssh',
  datacenter: 'phx',
  shard: 'shard-7',
  dataDir: '/var/lib/mysql',
  vars: { fleetctl: '/opt/fleet/bin/fleetctl', note: "it's $(rm -rf /) `id`" },
};

const campaign: TemplateCampaign = {
  campaign: 'upgrade-5158',
  from: { version: '5.1.44' },
  to: { version: '5.1.58', package: 'percona-server-server-5.1=5.1.58-rel12.9' },
};

const source = { file: 'waves/upgrade.yaml', key: 'commands.upgrade' };

function errorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

function shellWords(command: string): string[] {
  const result = spawnSync('/bin/sh', ['-c', `for w in ${command}; do printf '%s\\0' "$w"; done`], {
    encoding: 'utf8',
  });
  return result.stdout.split('\0').slice(0, -1);
}

describe('templateVariables', () => {
  it("offers the server's facts, the campaign's versions and packages, and its vars", () => {
    const variables = templateVariables(server, campaign);
    expect(variables).toMatchObject({
      name: 'db-01',
      host: '127.0.1.1',
      port: '3306',
      sshPort: '2222',
      class: 'ix-24',
      datacenter: 'phx',
      shard: 'shard-7',
      dataDir: '/var/lib/mysql',
      fromVersion: '5.1.44',
      toVersion: '5.1.58',
      toPackage: 'percona-server-server-5.1=5.1.58-rel12.9',
      'vars.fleetctl': '/opt/fleet/bin/fleetctl',
    });
  });

  it('knows optional variables the server lacks, leaving them unset', () => {
    const variables = templateVariables(server, campaign);
    expect(Object.hasOwn(variables, 'cluster')).toBe(true);
    expect(variables.cluster).toBeUndefined();
    expect(variables.fromPackage).toBeUndefined();
  });
});

describe('renderCommand', () => {
  const variables = templateVariables(server, campaign);

  it('substitutes each value shell-quoted and keeps the literal text as written', () => {
    expect(
      renderCommand('{{vars.fleetctl}} upgrade --to {{toVersion}} 2>&1 | tail -n 5', variables, source),
    ).toBe("'/opt/fleet/bin/fleetctl' upgrade --to '5.1.58' 2>&1 | tail -n 5");
  });

  it('accepts spaces inside the braces', () => {
    expect(renderCommand('echo {{ name }}', variables, source)).toBe("echo 'db-01'");
  });

  it('hands the shell a hostile value as one inert word', () => {
    const command = renderCommand('{{vars.note}} {{name}}', variables, source);
    expect(shellWords(command)).toEqual(["it's $(rm -rf /) `id`", 'db-01']);
  });

  it('names the template key and the variable when a variable is unknown', () => {
    const error = errorOf(() => renderCommand('apt-get install {{tooPackage}}', variables, source));
    expect(error.message).toContain('waves/upgrade.yaml');
    expect(error.message).toContain('commands.upgrade');
    expect(error.message).toContain('{{tooPackage}}');
  });

  it('names a vars.* variable that neither the class nor the server defines', () => {
    const error = errorOf(() => renderCommand('{{vars.missing}} stop', variables, source));
    expect(error.issues[0]).toMatchObject({ key: 'commands.upgrade' });
    expect(error.message).toContain('{{vars.missing}}');
  });

  it('refuses an optional variable only when the template uses it and the server lacks it', () => {
    expect(renderCommand('echo {{name}}', variables, source)).toBe("echo 'db-01'");
    const error = errorOf(() => renderCommand('join {{cluster}}', variables, source));
    expect(error.message).toContain('{{cluster}}');
    expect(error.message).toContain('db-01');
  });

  it('refuses a placeholder that is not a variable name rather than passing it to the shell', () => {
    expect(() => renderCommand('echo {{ name; rm }}', variables, source)).toThrow(InputError);
  });
});

describe('renderTemplate', () => {
  it('writes values with the encoder it is given, e.g. into a URL', () => {
    const variables = templateVariables({ ...server, shard: 'a b/c' }, campaign);
    expect(
      renderTemplate(
        'https://lb/api/{{shard}}/maint',
        variables,
        { file: 'c.yaml', key: 'url' },
        encodeURIComponent,
      ),
    ).toBe('https://lb/api/a%20b%2Fc/maint');
  });
});

describe('checking templates without a server', () => {
  it('lists the placeholders a template uses, once each', () => {
    expect(templatePlaceholders('{{name}} {{vars.x}} {{name}}', source)).toEqual(['name', 'vars.x']);
  });

  it('accepts known variables and any vars.*, refuses unknown names', () => {
    expect(() => checkTemplate('{{host}} {{vars.anything}}', source)).not.toThrow();
    expect(() => checkTemplate('{{hostname}}', source)).toThrow(/unknown variable \{\{hostname\}\}/);
  });
});
