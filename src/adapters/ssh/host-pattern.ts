/**
 * OpenSSH's host patterns (known_hosts and ssh_config alike): `*` any run of characters, `?`
 * exactly one, everything else literal, compared without regard to case.
 */
export function hostPatternMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === name.toLowerCase();
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(name);
}

/**
 * A pattern list (ssh_config's `Host a b !c`, known_hosts' `a,b,!c`): it matches when one
 * pattern matches and no negated (`!`) one does; a negated match rules the whole list out.
 */
export function patternListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (hostPatternMatches(pattern.slice(1), name)) return false;
    } else if (hostPatternMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}
