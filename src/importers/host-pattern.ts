/** The hosts a pattern names, and the SSH port written after it (`db[01:04].phx1:2222`). */
export type ExpandedHostPattern =
  | { readonly hosts: readonly string[]; readonly port?: number }
  | { readonly problem: string };

/** Python's `string.ascii_letters`, whose order Ansible's alphabetic ranges follow. */
const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface HostRange {
  readonly values: (index: number) => string;
  readonly count: number;
}

/**
 * Expands an Ansible host pattern as Ansible's inventory plugins do: an optional `:PORT` suffix
 * (`[v6addr]:PORT` for a bracketed address), then every `[BEGIN:END]` or `[BEGIN:END:STEP]` range,
 * numeric (`[01:40]` keeps the leading zeros, so both ends need the same width) or one letter
 * (`[a:f]`, in `a..zA..Z` order). A pattern that would name more than `limit` hosts is refused
 * before a host is made.
 */
export function expandHostPattern(pattern: string, limit: number): ExpandedHostPattern {
  let address = pattern;
  let port: number | undefined;
  const withPort = /^\[(.+)\]:(\d+)$/.exec(pattern) ?? /^([^:]+):(\d+)$/.exec(pattern);
  if (withPort !== null) {
    address = withPort[1] ?? pattern;
    port = Number(withPort[2]);
  } else if (pattern.trim().endsWith(':')) {
    return { problem: `host pattern "${pattern}" ends in ":", which is reserved for a port` };
  }

  const pieces: (string | HostRange)[] = [];
  let rest = address;
  let total = 1;
  for (let open = rest.indexOf('['); open >= 0; open = rest.indexOf('[')) {
    const close = rest.indexOf(']', open);
    if (close < 0) return { problem: `host pattern "${pattern}" opens a range with "[" and never closes it` };
    const range = hostRange(rest.slice(open + 1, close));
    if ('problem' in range) return { problem: `host pattern "${pattern}": ${range.problem}` };
    pieces.push(rest.slice(0, open), range);
    total *= range.count;
    if (total > limit)
      return {
        problem: `host pattern "${pattern}" names more than ${limit.toLocaleString('en-US')} hosts, more than dbwave imports`,
      };
    rest = rest.slice(close + 1);
  }
  pieces.push(rest);

  let hosts = [''];
  for (const piece of pieces) {
    if (typeof piece === 'string') hosts = hosts.map((head) => head + piece);
    else
      hosts = hosts.flatMap((head) => Array.from({ length: piece.count }, (_, i) => head + piece.values(i)));
  }
  return port === undefined ? { hosts } : { hosts, port };
}

function hostRange(inside: string): HostRange | { problem: string } {
  const bounds = inside.split(':');
  if (bounds.length !== 2 && bounds.length !== 3)
    return { problem: 'a range is [begin:end] or [begin:end:step]' };
  const begin = bounds[0] === '' ? '0' : (bounds[0] ?? '0');
  const end = bounds[1] ?? '';
  if (end === '') return { problem: 'a range needs an end value' };
  const stepText = bounds[2] ?? '1';
  if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
    return { problem: `"${stepText}" is not a step (1 or more)` };
  const step = Number(stepText);

  const letterBegin = begin.length === 1 ? ASCII_LETTERS.indexOf(begin) : -1;
  const letterEnd = end.length === 1 ? ASCII_LETTERS.indexOf(end) : -1;
  if (letterBegin >= 0 && letterEnd >= 0) {
    if (letterBegin > letterEnd) return { problem: `range [${inside}] has its begin after its end` };
    return {
      count: Math.floor((letterEnd - letterBegin) / step) + 1,
      values: (index) => ASCII_LETTERS[letterBegin + index * step] ?? '',
    };
  }
  if (!/^\d+$/.test(begin) || !/^\d+$/.test(end))
    return { problem: `range [${inside}] is neither numeric ([01:40]) nor one letter to one letter ([a:f])` };
  const width = begin.startsWith('0') && begin.length > 1 ? begin.length : 0;
  if (width > 0 && width !== end.length)
    return { problem: `range [${inside}]: a zero-padded begin and its end must have the same width` };
  const first = Number(begin);
  const last = Number(end);
  const count = last < first ? 0 : Math.floor((last - first) / step) + 1;
  return { count, values: (index) => String(first + index * step).padStart(width, '0') };
}
