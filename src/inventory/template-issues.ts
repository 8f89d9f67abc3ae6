import type { InputIssue } from '../core/errors.js';
import { InputError } from '../core/errors.js';
import type { KeyPath, SourceLocator } from '../core/source-locator.js';
import type { Campaign } from '../model/campaign-schema.js';
import { campaignTemplates } from '../model/campaign-templates.js';
import { checkTemplate, templatePlaceholders, templateVariables } from '../model/command-template.js';
import type { HardwareClass } from '../model/hardware-class-schema.js';
import { serverResolver } from '../model/resolve-server.js';
import { unsafePlaceholder } from '../model/shell-template-context.js';

/** Template variables the campaign sets for every server alike, and the key that sets each. */
const CAMPAIGN_KEYS: Readonly<Record<string, string>> = {
  fromPackage: 'from.package',
  toPackage: 'to.package',
};

/**
 * Every template of the campaign, checked for every server when the campaign is loaded (so by
 * `plan`, `check`, `checklist` and `run` alike): a placeholder must be well formed, stand where
 * a quoted value stays one literal word (command templates), name a known variable, and have a
 * value for every server. A typo in `commands.rollback` is found weeks before a rollback needs it.
 * One issue per template and variable, naming the first server it fails for and how many more.
 */
export function templateIssues(
  campaign: Campaign,
  classes: readonly HardwareClass[],
  sources: SourceLocator,
): InputIssue[] {
  const issues: InputIssue[] = [];
  const issueAt = (key: KeyPath, message: string): InputIssue => {
    const where = sources.campaign(key);
    return {
      file: where.file,
      key: key.join('.'),
      message,
      ...(where.line === undefined ? {} : { line: where.line }),
    };
  };
  const servers = serverResolver(classes, campaign).all();
  const variablesOf = servers.map((server) => templateVariables(server, campaign));
  for (const { key, template, encoding } of campaignTemplates(campaign)) {
    let names: string[];
    try {
      const source = { file: '', key: key.join('.') };
      checkTemplate(template, source);
      names = templatePlaceholders(template, source);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues.map((issue) => issueAt(key, issue.message)));
      continue;
    }
    if (encoding === 'shell') {
      const unsafe = unsafePlaceholder(template);
      if (unsafe !== undefined) {
        issues.push(
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
        if (variablesOf[0]?.[name] === undefined && servers.length > 0) {
          issues.push(issueAt(key, `uses {{${name}}}, which the campaign does not set (${campaignKey})`));
        }
        continue;
      }
      const missing = servers.filter((_, index) => variablesOf[index]?.[name] === undefined);
      const first = missing[0];
      if (first === undefined) continue;
      const more =
        missing.length > 1
          ? ` (and ${missing.length - 1} more server${missing.length === 2 ? '' : 's'})`
          : '';
      issues.push(issueAt(key, `uses {{${name}}}, which server ${first.name} does not have${more}`));
    }
  }
  return issues;
}
