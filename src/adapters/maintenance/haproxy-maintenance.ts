import { InputError, TransportError } from '../../core/errors.js';
import type { MaintenanceWindow } from '../../engine/ports/maintenance-window.js';
import {
  renderTemplate,
  type TemplateCampaign,
  type TemplateSource,
  templateVariables,
} from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { HaproxyRuntimeApi } from './haproxy-runtime-api.js';
import { type HaproxyServerState, parseServersState } from './haproxy-servers-state.js';

export interface HaproxyMaintenanceOptions {
  readonly api: HaproxyRuntimeApi;
  readonly campaign: TemplateCampaign;
  /** Templates for the backend and server names, e.g. `{{shard}}` and `{{name}}`. */
  readonly backend: string;
  readonly server: string;
  /** The campaign file, for error messages about the templates. */
  readonly campaignFile: string;
}

/** What HAProxy accepts in a proxy or server name; nothing that could end or chain a command. */
const HAPROXY_NAME = /^[A-Za-z0-9._:-]+$/;

/**
 * The 503 window as a server forced into maintenance through HAProxy's runtime API:
 * `set server <backend>/<server> state maint|ready`, each followed by `show servers state
 * <backend>` to VERIFY that the change took (a window that HAProxy silently ignored is worse
 * than an error). `isOpen` reads the forced-maintenance bit of `srv_admin_state`.
 */
export class HaproxyMaintenance implements MaintenanceWindow {
  constructor(private readonly options: HaproxyMaintenanceOptions) {}

  open(server: ResolvedServer): Promise<void> {
    return this.setState(server, 'maint');
  }

  close(server: ResolvedServer): Promise<void> {
    return this.setState(server, 'ready');
  }

  async isOpen(server: ResolvedServer): Promise<boolean> {
    return (await this.state(server)).forcedMaintenance;
  }

  private async setState(server: ResolvedServer, state: 'maint' | 'ready'): Promise<void> {
    const { backend, name } = this.names(server);
    const answer = (await this.options.api.command(`set server ${backend}/${name} state ${state}`)).trim();
    // Success is an empty answer; anything else is HAProxy saying why not ("No such server.").
    if (answer !== '') {
      throw new TransportError(
        'haproxy',
        `set server ${backend}/${name} state ${state} on ${this.options.api.description}: ${answer}`,
        { retryable: false },
      );
    }
    const seen = await this.state(server);
    if (seen.forcedMaintenance !== (state === 'maint')) {
      throw new TransportError(
        'haproxy',
        `${backend}/${name}: asked for state ${state}, but show servers state reports srv_admin_state ${seen.adminState}`,
      );
    }
  }

  private async state(server: ResolvedServer): Promise<HaproxyServerState> {
    const { backend, name } = this.names(server);
    const answer = await this.options.api.command(`show servers state ${backend}`);
    const found = parseServersState(answer).find((row) => row.backend === backend && row.server === name);
    if (found === undefined) {
      throw new TransportError(
        'haproxy',
        `${this.options.api.description} has no server ${backend}/${name}: ${answer.trim().split('\n').at(-1) ?? ''}`,
        { retryable: false },
      );
    }
    return found;
  }

  private names(server: ResolvedServer): { backend: string; name: string } {
    const variables = templateVariables(server, this.options.campaign);
    const render = (template: string, key: string): string => {
      const source: TemplateSource = { file: this.options.campaignFile, key };
      const rendered = renderTemplate(template, variables, source, (value) => value);
      if (!HAPROXY_NAME.test(rendered)) {
        throw InputError.of(
          source.file,
          key,
          `gives "${rendered}" for ${server.name}, which is not a HAProxy name (letters, digits, . _ : -)`,
        );
      }
      return rendered;
    };
    return {
      backend: render(this.options.backend, 'maintenance.backend'),
      name: render(this.options.server, 'maintenance.server'),
    };
  }
}
