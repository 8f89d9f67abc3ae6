import { dirname, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { MaintenanceWindow } from '../../engine/ports/maintenance-window.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type MaintenanceSpec } from '../../model/campaign-schema.js';
import type { TemplateCampaign } from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { LocalShell } from '../local/local-shell.js';
import { CommandMaintenance } from './command-maintenance.js';
import { HaproxyInstancesMaintenance } from './haproxy-instances-maintenance.js';
import { HaproxyMaintenance } from './haproxy-maintenance.js';
import { HaproxyRuntimeApi, parseRuntimeApiAddress } from './haproxy-runtime-api.js';
import { HttpMaintenance } from './http-maintenance.js';
import { NoMaintenance } from './no-maintenance.js';

export interface MaintenanceContext {
  readonly campaign: TemplateCampaign;
  /** The campaign file: relative socket paths start from its folder; errors name it. */
  readonly campaignFile: string;
  /** The server's own shell, for `adapter: command` with `transport: ssh` (usually a ShellPool). */
  readonly serverShell?: (server: ResolvedServer) => Promise<RemoteShell>;
  /** Output kept per stream of a local maintenance command (default 64 KiB). */
  readonly maxOutputBytes?: number;
  /** The environment of local commands (see `LocalShellOptions.environment`). */
  readonly childEnvironment?: Readonly<Record<string, string>>;
  /** Injected in tests. */
  readonly fetch?: typeof fetch;
}

/** The campaign's `maintenance:` block as a `MaintenanceWindow`. */
export function createMaintenanceWindow(
  spec: MaintenanceSpec,
  context: MaintenanceContext,
): MaintenanceWindow {
  const { campaign, campaignFile } = context;
  switch (spec.adapter) {
    case 'haproxy': {
      const instances = spec.sockets.map((written, index) => {
        const socket = written.startsWith('tcp://')
          ? written
          : resolve(dirname(resolve(campaignFile)), written);
        const address = parseRuntimeApiAddress(socket);
        if (address === undefined) {
          throw InputError.of(
            campaignFile,
            spec.sockets.length === 1 ? 'maintenance.socket' : `maintenance.sockets.${index}`,
            `"${written}" is not a path or tcp://host:port`,
          );
        }
        return new HaproxyMaintenance({
          api: new HaproxyRuntimeApi(address),
          campaign,
          campaignFile,
          backend: spec.backend,
          server: spec.server,
        });
      });
      return new HaproxyInstancesMaintenance({ instances, drainTimeoutMs: spec.drainTimeout });
    }
    case 'http':
      return new HttpMaintenance({
        spec,
        campaign,
        campaignFile,
        ...(context.fetch === undefined ? {} : { fetch: context.fetch }),
      });
    case 'command': {
      let shellFor: (server: ResolvedServer) => Promise<RemoteShell>;
      if (spec.transport === 'ssh') {
        const serverShell = context.serverShell;
        if (serverShell === undefined) {
          throw InputError.of(
            campaignFile,
            'maintenance.transport',
            'ssh needs the campaign to have an ssh: block',
          );
        }
        shellFor = serverShell;
      } else {
        const local = new LocalShell({
          label: 'maintenance',
          maxOutputBytes: context.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
          ...(context.childEnvironment === undefined ? {} : { environment: context.childEnvironment }),
        });
        shellFor = async () => local;
      }
      return new CommandMaintenance({ spec, campaign, campaignFile, shellFor });
    }
    case 'none':
      return new NoMaintenance();
  }
}
