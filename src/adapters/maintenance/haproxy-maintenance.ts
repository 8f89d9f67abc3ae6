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
import { type HaproxyServerState, parseServersState, SrvAdmin } from './haproxy-servers-state.js';
import { parseStatSessions } from './haproxy-stat.js';

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

/** Where one HAProxy has the server: serving, draining (no new sessions) or in maintenance. */
export type HaproxyWindowState = 'ready' | 'draining' | 'maint';

/**
 * The 503 window as a server forced into maintenance through one HAProxy's runtime API:
 * `set server <backend>/<server> state maint|ready`, each followed by `show servers state
 * <backend>` to VERIFY that the change took (a window that HAProxy silently ignored is worse
 * than an error). `isOpen` reads the forced-maintenance bit of `srv_admin_state`. Draining
 * (`state drain`, then `show stat`'s `scur`) is driven by the engine through
 * `HaproxyInstancesMaintenance`, which holds one of these per HAProxy.
 */
export class HaproxyMaintenance implements MaintenanceWindow {
  constructor(private readonly options: HaproxyMaintenanceOptions) {}

  /** This HAProxy's runtime API, as errors name it. */
  get description(): string {
    return this.options.api.description;
  }

  /**
   * `set server ... state drain`, verified: no new sessions, the current ones go on. Answers the
   * sessions left, counted on the same connection: with none left, the drain costs one round trip.
   */
  async beginDrain(server: ResolvedServer): Promise<number> {
    const { backend } = this.names(server);
    const [stat = ''] = await this.setState(server, 'drain', [statCommand(backend)]);
    return this.sessionsIn(server, stat);
  }

  /** The server's current sessions on this HAProxy (`scur` of `show stat`). */
  async sessions(server: ResolvedServer): Promise<number> {
    const { backend } = this.names(server);
    return this.sessionsIn(server, await this.options.api.command(statCommand(backend)));
  }

  private sessionsIn(server: ResolvedServer, answer: string): number {
    const { backend, name } = this.names(server);
    const found = parseStatSessions(answer).find((row) => row.backend === backend && row.server === name);
    if (found === undefined) {
      throw new TransportError(
        'haproxy',
        `${this.description} counts no sessions for ${backend}/${name}: ${answer.trim().split('\n').at(-1) ?? ''}`,
        { retryable: false },
      );
    }
    return found.sessions;
  }

  /** Where this HAProxy has the server now. */
  async windowState(server: ResolvedServer): Promise<HaproxyWindowState> {
    const seen = await this.state(server);
    if (seen.forcedMaintenance) return 'maint';
    return (seen.adminState & SrvAdmin.ForcedDrain) !== 0 ? 'draining' : 'ready';
  }

  /** Read-only: this HAProxy answers and knows the server. */
  async precheck(server: ResolvedServer): Promise<void> {
    await this.state(server);
  }

  async open(server: ResolvedServer): Promise<void> {
    await this.setState(server, 'maint');
  }

  async close(server: ResolvedServer): Promise<void> {
    await this.setState(server, 'ready');
  }

  async isOpen(server: ResolvedServer): Promise<boolean> {
    return (await this.state(server)).forcedMaintenance;
  }

  /**
   * The change and its verification on one connection, with any read-only `also` commands after
   * them: their answers come back in order, after the verification's.
   */
  private async setState(
    server: ResolvedServer,
    state: 'maint' | 'ready' | 'drain',
    also: readonly string[] = [],
  ): Promise<string[]> {
    const { backend, name } = this.names(server);
    const [set = '', shown = '', ...rest] = await this.options.api.commands([
      `set server ${backend}/${name} state ${state}`,
      stateCommand(backend),
      ...also,
    ]);
    const answer = set.trim();
    // Success is an empty answer; anything else is HAProxy saying why not ("No such server.").
    if (answer !== '') {
      throw new TransportError(
        'haproxy',
        `set server ${backend}/${name} state ${state} on ${this.options.api.description}: ${answer}`,
        { retryable: false },
      );
    }
    const seen = this.stateIn(server, shown);
    const draining = (seen.adminState & SrvAdmin.ForcedDrain) !== 0;
    const took = {
      maint: seen.forcedMaintenance,
      drain: draining,
      ready: !seen.forcedMaintenance && !draining,
    };
    if (!took[state]) {
      throw new TransportError(
        'haproxy',
        `${backend}/${name}: asked for state ${state}, but show servers state reports srv_admin_state ${seen.adminState} on ${this.description}`,
      );
    }
    return rest;
  }

  private async state(server: ResolvedServer): Promise<HaproxyServerState> {
    const { backend } = this.names(server);
    return this.stateIn(server, await this.options.api.command(stateCommand(backend)));
  }

  private stateIn(server: ResolvedServer, answer: string): HaproxyServerState {
    const { backend, name } = this.names(server);
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

function stateCommand(backend: string): string {
  return `show servers state ${backend}`;
}

/** Servers only (type 4) of the one backend, so the answer stays small on a large HAProxy. */
function statCommand(backend: string): string {
  return `show stat ${backend} 4 -1`;
}
