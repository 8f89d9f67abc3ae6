import type { InputIssue } from '../core/errors.js';
import { type AnsibleInventory, AnsibleInventoryBuilder } from './ansible-inventory.js';
import { expandHostPattern } from './host-pattern.js';
import { issueAt, type SourceOrigin } from './imported-server.js';
import { iniValue } from './python-literal.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/**
 * Parses an INI inventory as Ansible's `ini` plugin does: host lines (`PATTERN key=value ...`,
 * split like a shell line, `#` starting a comment) before any section belong to `ungrouped`;
 * `[group]`, `[group:children]` and `[group:vars]` sections; `key=value` in a vars section is not
 * split (a `#` there is part of the value, as in Ansible); values are read as Python literals.
 * A child or vars section may name a group defined further down, never one defined nowhere.
 */
export function parseAnsibleIni(text: string, file: string): AnsibleInventory | { issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const inventory = new AnsibleInventoryBuilder(issues);
  /** Groups named in a children or vars section before they are defined, and where. */
  const pending = new Map<string, { origin: SourceOrigin; state: 'children' | 'vars'; parents: string[] }>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const origin = { file, line: index + 1 };
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = SECTION.exec(line);
    if (section !== null) {
      group = section[1] ?? '';
      state = section[2] ?? 'hosts';
      if (state !== 'hosts' && state !== 'children' && state !== 'vars') {
        issues.push(
          issueAt(
            origin,
            '',
            `section [${group}:${state}] has an unknown type: ${state} (hosts, children or vars)`,
          ),
        );
        state = 'skip';
        continue;
      }
      if (!inventory.hasGroup(group) && state === 'vars' && !pending.has(group))
        pending.set(group, { origin, state, parents: [] });
      inventory.group(group);
      const declared = pending.get(group);
      if (declared !== undefined && state !== 'vars') {
        for (const parent of declared.parents) inventory.child(parent, group, declared.origin);
        pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      issues.push(
        issueAt(
          origin,
          '',
          `invalid section "${line}": no spaces, and only [group], [group:vars] or [group:children]`,
        ),
      );
      continue;
    }
    if (state === 'hosts') hostLine(line, group, origin, inventory, issues);
    else if (state === 'vars') {
      const equals = line.indexOf('=');
      if (equals < 0) {
        issues.push(issueAt(origin, '', `expected key=value in [${group}:vars], got: ${line}`));
        continue;
      }
      const key = line.slice(0, equals).trim();
      inventory.group(group).vars.set(key, { value: iniValue(line.slice(equals + 1).trim()), key, origin });
    } else if (state === 'children') {
      const child = GROUP_NAME.exec(line)?.[1];
      if (child === undefined)
        issues.push(issueAt(origin, '', `expected a group name in [${group}:children], got: ${line}`));
      else if (inventory.hasGroup(child)) inventory.child(group, child, origin);
      else {
        const declared = pending.get(child) ?? { origin, state: 'children' as const, parents: [] };
        declared.parents.push(group);
        pending.set(child, declared);
      }
    }
  }
  for (const [name, declared] of pending) {
    const message =
      declared.state === 'vars'
        ? `section [${name}:vars] is for a group that is never defined`
        : `section [${declared.parents[0]}:children] names a group that is never defined: ${name}`;
    issues.push(issueAt(declared.origin, name, message));
  }
  const built = inventory.build();
  return issues.length > 0 ? { issues } : built;
}

function hostLine(
  line: string,
  group: string,
  origin: SourceOrigin,
  inventory: AnsibleInventoryBuilder,
  issues: InputIssue[],
): void {
  const tokens = shellWords(line);
  if (typeof tokens === 'string') {
    issues.push(issueAt(origin, '', `cannot split the host line: ${tokens}`));
    return;
  }
  const [pattern, ...assignments] = tokens;
  if (pattern === undefined) return;
  const expanded = expandHostPattern(pattern, inventory.hostsLeft() + 1);
  if ('problem' in expanded) {
    issues.push(issueAt(origin, '', expanded.problem));
    return;
  }
  const vars: [string, unknown][] = [];
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals < 0) {
      issues.push(issueAt(origin, '', `expected key=value after the host pattern, got: ${assignment}`));
      return;
    }
    vars.push([assignment.slice(0, equals), iniValue(assignment.slice(equals + 1))]);
  }
  for (const name of expanded.hosts) {
    const host = inventory.host(name, group, origin);
    if (host === undefined) return;
    if (expanded.port !== undefined)
      host.vars.set('ansible_port', { value: expanded.port, key: 'ansible_port', origin });
    for (const [key, value] of vars) host.vars.set(key, { value, key, origin });
  }
}

/**
 * Splits a line as Python's `shlex.split(line, comments=True)`: whitespace separates words,
 * single quotes keep everything, double quotes keep all but `\"` and `\\`, a backslash outside
 * quotes escapes the next character, and `#` outside quotes ends the line. A string is the problem.
 */
export function shellWords(line: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let at = 0; at < line.length; at++) {
    const char = line[at] ?? '';
    if (char === "'" || char === '"') {
      const close = char === "'" ? line.indexOf("'", at + 1) : closingDoubleQuote(line, at + 1);
      if (close < 0) return 'no closing quotation';
      const inside = line.slice(at + 1, close);
      word += char === "'" ? inside : inside.replace(/\\(["\\])/g, '$1');
      inWord = true;
      at = close;
    } else if (char === '\\') {
      word += line[at + 1] ?? '';
      inWord = true;
      at++;
    } else if (/\s/.test(char) || char === '#') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      if (char === '#') break;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function closingDoubleQuote(line: string, from: number): number {
  for (let at = from; at < line.length; at++) {
    if (line[at] === '\\') at++;
    else if (line[at] === '"') return at;
  }
  return -1;
}
