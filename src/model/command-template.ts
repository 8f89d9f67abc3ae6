import { InputError } from '../core/errors.js';
import type { Campaign } from './campaign-schema.js';
import type { ResolvedServer } from './resolved-server.js';
import { shellQuote } from './shell-quote.js';

/**
 * Command templates: the DBA's own shell with `{{name}}` / `{{vars.NAME}}` placeholders. Only
 * placeholders change; every value is substituted shell-quoted, so nothing from an inventory
 * ever reaches a shell unquoted, and the literal text around them stays exactly as written.
 */

/** The variables every template may use, besides `vars.*`. */
export const TEMPLATE_VARIABLES = [
  'name',
  'host',
  'port',
  'sshPort',
  'class',
  'datacenter',
  'cluster',
  'role',
  'shard',
  'dataDir',
  'errorLog',
  'mdLayout',
  'campaign',
  'fromVersion',
  'toVersion',
  'fromPackage',
  'toPackage',
] as const;
export type TemplateVariableName = (typeof TEMPLATE_VARIABLES)[number];

/**
 * Values for one server, keyed `name`, `vars.NAME`, ... A key that is present with `undefined`
 * is known but unset for this server (a server without a shard): an error only when a
 * template actually uses it.
 */
export type TemplateVariables = Readonly<Record<string, string | undefined>>;

/** Where a template was written, for error messages: `{file: 'waves/x.yaml', key: 'commands.upgrade'}`. */
export interface TemplateSource {
  readonly file: string;
  readonly key: string;
}

/** How a value is written into the rendered text: shell-quoted for commands, URL-encoded for URLs... */
export type ValueEncoder = (value: string, variable: string) => string;

const PLACEHOLDER = /\{\{(.*?)\}\}/gs;
const VARIABLE_NAME = /^(?:[A-Za-z_][A-Za-z0-9_]*|vars\.[A-Za-z_][A-Za-z0-9_]*)$/;

/** The campaign facts templates use; a whole `Campaign` fits. */
export type TemplateCampaign = Pick<Campaign, 'campaign' | 'from' | 'to'>;

/** How each variable is read from a server and its campaign: the one place that says so. */
const VARIABLE_VALUES: {
  readonly [Name in TemplateVariableName]: (
    server: ResolvedServer,
    campaign: TemplateCampaign,
  ) => string | undefined;
} = {
  name: (server) => server.name,
  host: (server) => server.host,
  port: (server) => String(server.port),
  sshPort: (server) => String(server.sshPort),
  class: (server) => server.class,
  datacenter: (server) => server.datacenter,
  cluster: (server) => server.cluster,
  role: (server) => server.role,
  shard: (server) => server.shard,
  dataDir: (server) => server.dataDir,
  errorLog: (server) => server.errorLog,
  mdLayout: (server) => server.mdLayout,
  campaign: (_, campaign) => campaign.campaign,
  fromVersion: (_, campaign) => campaign.from.version,
  toVersion: (_, campaign) => campaign.to.version,
  fromPackage: (_, campaign) => campaign.from.package,
  toPackage: (_, campaign) => campaign.to.package,
};

/**
 * One variable's value for `server` in `campaign` (`name`, `vars.NAME`, ...): undefined when the
 * server has no such value or no such variable exists. What {@link templateVariables} holds under
 * that name, without building the whole record (the load-time check asks this for every server).
 */
export function templateVariable(
  server: ResolvedServer,
  campaign: TemplateCampaign,
  name: string,
): string | undefined {
  if (name.startsWith('vars.')) {
    const key = name.slice('vars.'.length);
    return Object.hasOwn(server.vars, key) ? server.vars[key] : undefined;
  }
  return Object.hasOwn(VARIABLE_VALUES, name)
    ? VARIABLE_VALUES[name as TemplateVariableName](server, campaign)
    : undefined;
}

/** Every variable a template can use for `server` in `campaign`, unset optional ones included. */
export function templateVariables(server: ResolvedServer, campaign: TemplateCampaign): TemplateVariables {
  const values: Record<string, string | undefined> = {};
  for (const name of TEMPLATE_VARIABLES) values[name] = VARIABLE_VALUES[name](server, campaign);
  for (const [name, value] of Object.entries(server.vars)) values[`vars.${name}`] = value;
  return values;
}

/** The variable names a template uses, in order of first use; a malformed placeholder is an InputError. */
export function templatePlaceholders(template: string, source: TemplateSource): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = placeholderName(match[1] ?? '', source);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Checks a template without a server: every placeholder is well formed and names a variable
 * that exists (`vars.*` is checked per server, since servers bring their own).
 */
export function checkTemplate(template: string, source: TemplateSource): void {
  for (const name of templatePlaceholders(template, source)) {
    if (!name.startsWith('vars.') && !(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
      throw unknownVariable(source, name);
    }
  }
}

/** Renders a command template: each value shell-quoted, the rest kept as written. */
export function renderCommand(
  template: string,
  variables: TemplateVariables,
  source: TemplateSource,
): string {
  return renderTemplate(template, variables, source, shellQuote);
}

/** Renders any template with the given encoder (commands, URLs, HAProxy names, HTTP bodies). */
export function renderTemplate(
  template: string,
  variables: TemplateVariables,
  source: TemplateSource,
  encode: ValueEncoder,
): string {
  return template.replace(PLACEHOLDER, (_whole, inner: string) => {
    const name = placeholderName(inner, source);
    if (!Object.hasOwn(variables, name)) throw unknownVariable(source, name);
    const value = variables[name];
    if (value === undefined) {
      const server = variables.name ?? 'this server';
      throw InputError.of(source.file, source.key, `uses {{${name}}}, which ${server} does not have`);
    }
    return encode(value, name);
  });
}

function placeholderName(inner: string, source: TemplateSource): string {
  const name = inner.trim();
  if (!VARIABLE_NAME.test(name)) {
    throw InputError.of(
      source.file,
      source.key,
      `"{{${inner}}}" is not a variable: write {{name}} or {{vars.NAME}}`,
    );
  }
  return name;
}

function unknownVariable(source: TemplateSource, name: string): InputError {
  const hint = name.startsWith('vars.')
    ? `no class or server defines vars.${name.slice('vars.'.length)}`
    : `known variables: ${TEMPLATE_VARIABLES.join(', ')}, vars.NAME`;
  return InputError.of(source.file, source.key, `unknown variable {{${name}}} (${hint})`);
}
