import { describe, expect, it } from 'vitest';
import { parseSshConfig } from '../../../src/adapters/ssh/ssh-config-file.js';
import { lookupSshHost } from '../../../src/adapters/ssh/ssh-config-lookup.js';
import { ErrorCode, ExitStatus, exitStatusFor, InputError } from '../../../src/core/errors.js';

const FILE = '/home/dba/.ssh/config';

function problems(text: string): InputError {
  try {
    parseSshConfig(FILE, text);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('parseSshConfig', () => {
  it('keeps each setting of the keywords dbwave reads with its line, keyword case ignored', () => {
    const config = parseSshConfig(
      FILE,
      [
        '# a comment',
        'ServerAliveInterval 30',
        '',
        'Host db-*  !db-test-*',
        '  hostname %h.example.net',
        '  USER = dba',
        '  Port 2222',
        '  ForwardAgent yes',
        '',
        'Match host "*.example.net" user dba',
        '  IdentityFile ~/.ssh/id_%r',
        '  UserKnownHostsFile ~/.ssh/known_hosts.d/%h /etc/ssh/ssh_known_hosts',
        '',
      ].join('\n'),
    );
    expect(config.blocks).toEqual([
      { kind: 'global', line: 1, settings: [] },
      {
        kind: 'host',
        line: 4,
        patterns: ['db-*', '!db-test-*'],
        settings: [
          { keyword: 'hostname', values: ['%h.example.net'], line: 5 },
          { keyword: 'user', values: ['dba'], line: 6 },
          { keyword: 'port', values: ['2222'], line: 7 },
        ],
      },
      {
        kind: 'match',
        line: 10,
        criteria: [
          { name: 'host', negated: false, patterns: ['*.example.net'] },
          { name: 'user', negated: false, patterns: ['dba'] },
        ],
        settings: [
          { keyword: 'identityfile', values: ['~/.ssh/id_%r'], line: 11 },
          {
            keyword: 'userknownhostsfile',
            values: ['~/.ssh/known_hosts.d/%h', '/etc/ssh/ssh_known_hosts'],
            line: 12,
          },
        ],
      },
    ]);
  });

  it('counts lines across CRLF line ends and blank lines', () => {
    const config = parseSshConfig(FILE, 'Host a\r\n\r\n\r\n  User x\r\nHost b\r\n  Port 23\r\n');
    expect(config.blocks.flatMap((block) => block.settings.map((setting) => setting.line))).toEqual([4, 6]);
  });

  it('reads an empty file as no settings', () => {
    expect(parseSshConfig(FILE, '').blocks).toEqual([{ kind: 'global', line: 1, settings: [] }]);
  });

  it('names file, line and keyword of a port that is not a port, exit 2', () => {
    const error = problems('Host a\n  Port 22x\nHost b\n  Port 70000\n');
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(exitStatusFor(error)).toBe(ExitStatus.InvalidInput);
    expect(error.issues).toEqual([
      { file: FILE, line: 2, key: 'Port', message: '"22x" is not a port (1-65535)' },
      { file: FILE, line: 4, key: 'Port', message: '"70000" is not a port (1-65535)' },
    ]);
    expect(error.message).toBe(
      `${FILE}:line 2: Port: "22x" is not a port (1-65535)\n${FILE}:line 4: Port: "70000" is not a port (1-65535)`,
    );
  });

  it('refuses a ProxyJump that is not a list of [user@]host[:port]', () => {
    expect(problems('Host a\n  ProxyJump bastion:ssh\n').issues).toEqual([
      { file: FILE, line: 2, key: 'ProxyJump', message: 'hop 1 ("bastion:ssh"): port "ssh" is not 1-65535' },
    ]);
    expect(problems('Host a\n\n  ProxyJump ops@,b\n').issues[0]).toMatchObject({ line: 3, key: 'ProxyJump' });
  });

  it('refuses Include and Match exec, which it cannot honour as ssh would', () => {
    const error = problems('Include config.d/*\nMatch exec "test -f /tmp/x"\n  User y\n');
    expect(error.issues.map((issue) => [issue.line, issue.key])).toEqual([
      [1, 'Include'],
      [2, 'Match'],
    ]);
    expect(error.issues[1]?.message).toContain('exec is not supported: dbwave runs no command');
  });

  it('refuses a % token the keyword does not take', () => {
    expect(problems('Host a\n  HostName %r.example\n').issues[0]).toMatchObject({
      line: 2,
      key: 'HostName',
      message: '%r is not a token dbwave expands here',
    });
    expect(problems('IdentityFile ~/.ssh/id_%\n').issues[0]).toMatchObject({ line: 1, key: 'IdentityFile' });
  });

  it('names the line of an unclosed quote', () => {
    expect(problems('Host a\n  User x\nHost "b\n  User y\n').issues).toEqual([
      { file: FILE, line: 3, key: 'Host', message: 'cannot be read: a quote is not closed' },
    ]);
  });

  it('refuses a keyword without a value, Host included', () => {
    expect(problems('Host\n  User x\nHost b\n  Port =\n').issues).toEqual([
      { file: FILE, line: 1, key: 'Host', message: 'has no value' },
      { file: FILE, line: 4, key: 'Port', message: 'has no value' },
    ]);
  });
});

describe('lookupSshHost', () => {
  const config = parseSshConfig(
    FILE,
    [
      'Host bastion',
      '  HostName 10.0.0.1',
      '  User jump',
      'Host db?.phx1 db-*.scl2 !db-test-*',
      '  User dba',
      '  ProxyJump bastion',
      'Host db1.phx1',
      '  User never-used',
      '  Port 2201',
      'Host *.phx1',
      '  IdentityFile ~/.ssh/phx',
      '  Port 2200',
      'Match host 10.0.0.* user jump',
      '  IdentityFile ~/.ssh/bastion',
      'Match !originalhost db*',
      '  UserKnownHostsFile ~/.ssh/known_hosts.other',
      'Host *',
      '  IdentityFile ~/.ssh/id_ed25519',
      '  UserKnownHostsFile ~/.ssh/known_hosts',
    ].join('\n'),
  );
  const look = (alias: string, user?: string) =>
    lookupSshHost(config, { alias, localUser: 'me', ...(user === undefined ? {} : { user }) });

  it('gives each keyword its first value, every IdentityFile in order', () => {
    expect(look('db1.phx1')).toEqual({
      user: { value: 'dba', line: 5 },
      proxyJump: { value: 'bastion', line: 6 },
      port: { value: 2201, line: 9 },
      identityFiles: [
        { value: '~/.ssh/phx', line: 11 },
        { value: '~/.ssh/id_ed25519', line: 18 },
      ],
      userKnownHostsFiles: { value: ['~/.ssh/known_hosts'], line: 19 },
    });
  });

  it('matches ? as exactly one character, and without regard to case', () => {
    expect(look('DB2.PHX1').user?.value).toBe('dba');
    expect(look('db12.phx1').user).toBeUndefined();
  });

  it('lets one negated pattern rule a Host line out, whatever else on it matches', () => {
    expect(look('db-7.scl2').user?.value).toBe('dba');
    expect(look('db-test-7.scl2').user).toBeUndefined();
  });

  it('evaluates Match host against the HostName obtained so far, and Match user against the user', () => {
    expect(look('bastion').identityFiles.map((file) => file.value)).toEqual([
      '~/.ssh/bastion',
      '~/.ssh/id_ed25519',
    ]);
    // The campaign's user is the user Match sees: no longer "jump".
    expect(look('bastion', 'ops').identityFiles.map((file) => file.value)).toEqual(['~/.ssh/id_ed25519']);
  });

  it('applies a negated Match criterion to the names it does not match', () => {
    expect(look('bastion').userKnownHostsFiles?.value).toEqual(['~/.ssh/known_hosts.other']);
    expect(look('db1.phx1').userKnownHostsFiles?.value).toEqual(['~/.ssh/known_hosts']);
  });
});
