import { patternListMatches } from './host-pattern.js';
import type { MatchCriterion, SshConfigBlock, SshConfigFile, SshConfigSetting } from './ssh-config-file.js';

/** Who asks: the name ssh would be given, and what Match criteria compare against. */
export interface SshHostQuery {
  /** The name as given (`ssh NAME`): what Host patterns and `Match originalhost` see. */
  readonly alias: string;
  /** The remote user already decided elsewhere (the campaign's ssh.user), if any (`Match user`). */
  readonly user?: string;
  /** The local user (`Match localuser`, and `Match user` when nothing else names one). */
  readonly localUser: string;
}

/** A value and the line it came from, so a problem found later can still name it. */
export interface FromLine<T> {
  readonly value: T;
  readonly line: number;
}

/**
 * The settings ssh_config gives one host, each as the first value obtained (ssh_config(5): "the
 * first obtained value will be used"), except IdentityFile, of which every line counts.
 */
export interface SshHostSettings {
  readonly hostName?: FromLine<string>;
  readonly user?: FromLine<string>;
  readonly port?: FromLine<number>;
  readonly identityFiles: readonly FromLine<string>[];
  readonly proxyJump?: FromLine<string>;
  readonly userKnownHostsFiles?: FromLine<readonly string[]>;
  /** dbwave runs no proxy command: its caller refuses a host this applies to. */
  readonly proxyCommand?: FromLine<string>;
}

/**
 * Evaluates the file for one host, top to bottom as ssh does: a block applies when its Host
 * patterns match the alias (no negated pattern matching) or all its Match criteria hold, and a
 * keyword keeps the first value any applying block gives it. `Match host` sees the HostName
 * obtained so far (`%h` in it is the alias), `Match user` the user obtained so far.
 */
export function lookupSshHost(config: SshConfigFile, query: SshHostQuery): SshHostSettings {
  const first = new Map<string, SshConfigSetting>();
  const identityFiles: FromLine<string>[] = [];
  const hostNameSoFar = (): string =>
    first
      .get('hostname')
      ?.values[0]?.replace(/%(.)/g, (_, token: string) => (token === 'h' ? query.alias : token)) ??
    query.alias;
  const userSoFar = (): string => query.user ?? first.get('user')?.values[0] ?? query.localUser;

  for (const block of config.blocks) {
    if (!applies(block, query, hostNameSoFar(), userSoFar())) continue;
    for (const setting of block.settings) {
      if (setting.keyword === 'identityfile') {
        identityFiles.push({ value: setting.values.join(' '), line: setting.line });
      } else if (!first.has(setting.keyword)) {
        first.set(setting.keyword, setting);
      }
    }
  }
  const one = (keyword: string): FromLine<string> | undefined => {
    const setting = first.get(keyword);
    return setting === undefined ? undefined : { value: setting.values.join(' '), line: setting.line };
  };
  const hostName = one('hostname');
  const user = one('user');
  const port = one('port');
  const proxyJump = one('proxyjump');
  const proxyCommand = one('proxycommand');
  const knownHosts = first.get('userknownhostsfile');
  return {
    ...(hostName === undefined ? {} : { hostName }),
    ...(user === undefined ? {} : { user }),
    ...(port === undefined ? {} : { port: { value: Number(port.value), line: port.line } }),
    identityFiles,
    ...(proxyJump === undefined ? {} : { proxyJump }),
    ...(knownHosts === undefined
      ? {}
      : { userKnownHostsFiles: { value: knownHosts.values, line: knownHosts.line } }),
    ...(proxyCommand === undefined ? {} : { proxyCommand }),
  };
}

function applies(block: SshConfigBlock, query: SshHostQuery, hostName: string, user: string): boolean {
  switch (block.kind) {
    case 'global':
      return true;
    case 'host':
      return patternListMatches(block.patterns, query.alias);
    case 'match':
      return block.criteria.every((criterion) => criterionHolds(criterion, query, hostName, user));
  }
}

function criterionHolds(
  criterion: MatchCriterion,
  query: SshHostQuery,
  hostName: string,
  user: string,
): boolean {
  const subject = {
    all: '',
    host: hostName,
    originalhost: query.alias,
    user,
    localuser: query.localUser,
  }[criterion.name];
  const holds = criterion.name === 'all' || patternListMatches(criterion.patterns, subject);
  return criterion.negated ? !holds : holds;
}
