import type { InputIssue } from '../core/errors.js';
import { InputError } from '../core/errors.js';
import type { KeyPath, SourceLocator } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';
import { campaignTemplates } from '../model/campaign-templates.js';
import { checkTemplate, templatePlaceholders, templateVariable } from '../model/command-template.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import { resolveServer } from '../model/resolve-server.js';
import { unsafePlaceholder } from '../model/shell-template-context.js';

/** Template variables the campaign sets for every server alike, and the key that sets each. */
const CAMPAIGN_KEYS: Readonly<Record<string, string>> = {
  fromPackage: 'from.package',
  toPackage: 'to.package',
};

/** A variable a template uses that every server must have: counted in one pass over the fleet. */
interface ServerVariableCheck {
  readonly key: KeyPath;
  readonly name: string;
  /** The first server without it, in fleet order. */
  first?: string;
  missing: number;
}

/**
 * Every template of the campaign, checked for every server when the campaign is loaded (so by
 * `plan`, `check`, `checklist` and `run` alike): a placeholder must be well formed, stand where
 * a quoted value stays one literal word (command templates), name a known variable, and have a
 * value for every server. A typo in `commands.rollback` is found weeks before a rollback needs it.
 * One issue per template and variable, naming the first server it fails for and how many more.
 *
 * `classes` sorted by id, their server names unique (the loader asks only for a fleet with no
 * other issue). Each server is resolved once, checked for every variable used, and dropped: at
 * 100,000 servers, a resolver and a record of variables per server kept to the end cost a
 * quarter of a second and their garbage collection.
 */
export function templateIssues(
  campaign: Campaign,
  classes: readonly HardwareClass[],
  sources: SourceLocator,
): InputIssue[] {
  const issueAt = (key: KeyPath, message: string): InputIssue => {
    const where = sources.campaign(key);
    return {
      file: where.file,
      key: key.join('.'),
      message,
      ...(where.line === undefined ? {} : { line: where.line }),
    };
  };
  const firstClass = classes[0];
  const firstSpec = firstClass?.servers[0];
  const firstServer =
    firstClass === undefined || firstSpec === undefined
      ? undefined
      : resolveServer(firstSpec, firstClass, campaign);
  // Each template's issues in order; a per-server check is filled in by the pass below.
  const found: (InputIssue | ServerVariableCheck)[] = [];
  const checks: ServerVariableCheck[] = [];
  for (const { key, template, encoding } of campaignTemplates(campaign)) {
    let names: string[];
    try {
      const source = { file: '', key: key.join('.') };
      checkTemplate(template, source);
      names = templatePlaceholders(template, source);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      found.push(...error.issues.map((issue) => issueAt(key, issue.message)));
      continue;
    }
    if (encoding === 'shell') {
      const unsafe = unsafePlaceholder(template);
      if (unsafe !== undefined) {
        found.push(
          issueAt(
            key,
            `${unsafe.placeholder} stands ${unsafe.why}: a value there would not stay one quoted word. Put the placeholder outside quotes as a word of its own, or move the logic into a script on the host`,
          ),
        );
        continue;
      }
    }
    for (const name of names) {
      const campaignKey = CAMPAIGN_KEYS[name];
      if (campaignKey !== undefined) {
        if (firstServer !== undefined && templateVariable(firstServer, campaign, name) === undefined) {
          found.push(issueAt(key, `uses {{${name}}}, which the campaign does not set (${campaignKey})`));
        }
        continue;
      }
      const check: ServerVariableCheck = { key, name, missing: 0 };
      checks.push(check);
      found.push(check);
    }
  }
  if (checks.length > 0) {
    for (const hardwareClass of classes) {
      for (const spec of hardwareClass.servers) {
        const server = resolveServer(spec, hardwareClass, campaign);
        for (const check of checks) {
          if (templateVariable(server, campaign, check.name) !== undefined) continue;
          check.first ??= server.name;
          check.missing += 1;
        }
      }
    }
  }
  return found.flatMap((entry) => {
    if (!('missing' in entry)) return [entry];
    if (entry.first === undefined) return [];
    const more =
      entry.missing > 1 ? ` (and ${entry.missing - 1} more server${entry.missing === 2 ? '' : 's'})` : '';
    return [issueAt(entry.key, `uses {{${entry.name}}}, which server ${entry.first} does not have${more}`)];
  });
}
