import type { z } from 'zod';
import type { InputIssue } from '../core/errors.js';
import type { KeyPath } from '../core/source-locator.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Turns zod's issues into dbwave's: one per problem, each naming the file, the dotted key and its
 * line, worded for the person who wrote the file rather than for a type checker.
 */
export function zodInputIssues(error: z.ZodError, source: YamlSource): InputIssue[] {
  return error.issues.flatMap((issue) => describe(issue, [], source));
}

function describe(issue: z.core.$ZodIssue, prefix: KeyPath, source: YamlSource): InputIssue[] {
  const path: KeyPath = [
    ...prefix,
    ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
  ];
  switch (issue.code) {
    case 'invalid_union': {
      // A missing value fails every branch; say so rather than quote one branch's expectation.
      if (
        issue.errors.some((branch) => branch.some((inner) => inner.path.length === 0 && isMissing(inner)))
      ) {
        return [located(source, path, 'is required')];
      }
      const branch = closestBranch(issue.errors);
      if (branch !== undefined) return branch.flatMap((inner) => describe(inner, path, source));
      return [located(source, path, 'is not any of the accepted forms')];
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => located(source, [...path, key], 'is not a known key (a typo?)'));
    case 'invalid_type':
      return [located(source, path, typeMessage(issue))];
    default:
      return [located(source, path, issue.message)];
  }
}

/**
 * For a value that matched no branch of a union, the branch that came closest: the fewest
 * issues, and among those one that got past the value's type, whose message is the useful one
 * (`must be a percentage` rather than `expected number`).
 */
function closestBranch(
  branches: readonly (readonly z.core.$ZodIssue[])[],
): readonly z.core.$ZodIssue[] | undefined {
  const score = (issues: readonly z.core.$ZodIssue[]): number =>
    issues.length * 2 +
    (issues.some((issue) => issue.code === 'invalid_type' && issue.path.length === 0) ? 1 : 0);
  let best: readonly z.core.$ZodIssue[] | undefined;
  for (const branch of branches) {
    if (branch.length === 0) continue;
    if (best === undefined || score(branch) < score(best)) best = branch;
  }
  return best;
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && /received undefined/.test(issue.message);
}

function typeMessage(issue: z.core.$ZodIssue & { code: 'invalid_type' }): string {
  if (isMissing(issue)) return 'is required';
  // A schema's own wording (a duration's, say) beats zod's generic one.
  if (!issue.message.startsWith('Invalid input')) return issue.message;
  const received = issue.message.match(/received (\w+)/)?.[1];
  const expected = withArticle(issue.expected);
  return received === undefined ? `must be ${expected}` : `must be ${expected}, not ${withArticle(received)}`;
}

function located(source: YamlSource, path: KeyPath, message: string): InputIssue {
  const line = source.lineOf(path);
  const key = path.join('.');
  return line === undefined ? { file: source.file, key, message } : { file: source.file, key, message, line };
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}
