import { TransportError } from '../../core/errors.js';
import type { MaintenanceWindow } from '../../engine/ports/maintenance-window.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import type { MaintenanceSpec } from '../../model/campaign-schema.js';
import { renderCommand, type TemplateCampaign, templateVariables } from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';

type CommandSpec = Extract<MaintenanceSpec, { adapter: 'command' }>;

export interface CommandMaintenanceOptions {
  readonly spec: CommandSpec;
  readonly campaign: TemplateCampaign;
  readonly campaignFile: string;
  /** The shell the commands run in: this machine's for `transport: local`, the server's for `ssh`. */
  readonly shellFor: (server: ResolvedServer) => Promise<RemoteShell>;
  /** Per command (default 60s). */
  readonly timeoutMs?: number;
}

/**
 * The 503 window as the DBA's own commands (a load balancer's CLI, a feature flag...), rendered
 * from templates with every value shell-quoted. `open`/`close` must exit 0; the optional
 * `status` exits 0 while the window is open and 1 when it is closed.
 */
export class CommandMaintenance implements MaintenanceWindow {
  constructor(private readonly options: CommandMaintenanceOptions) {}

  async open(server: ResolvedServer): Promise<void> {
    await this.run(server, this.options.spec.open, 'open', [0]);
  }

  async close(server: ResolvedServer): Promise<void> {
    await this.run(server, this.options.spec.close, 'close', [0]);
  }

  async isOpen(server: ResolvedServer): Promise<boolean | undefined> {
    const status = this.options.spec.status;
    if (status === undefined) return undefined;
    return (await this.run(server, status, 'status', [0, 1])) === 0;
  }

  private async run(
    server: ResolvedServer,
    template: string,
    key: 'open' | 'close' | 'status',
    expected: readonly number[],
  ): Promise<number> {
    const command = renderCommand(template, templateVariables(server, this.options.campaign), {
      file: this.options.campaignFile,
      key: `maintenance.${key}`,
    });
    const shell = await this.options.shellFor(server);
    const result = await shell.exec(command, {
      timeoutMs: this.options.timeoutMs ?? 60_000,
      // A status check may run twice; opening or closing twice is the command's own business.
      idempotent: key === 'status',
    });
    if (result.exitCode === null || !expected.includes(result.exitCode)) {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n').at(-1) ?? '';
      throw new TransportError(
        server.name,
        `maintenance ${key} command exited ${result.exitCode ?? 'without a status'}${said === '' ? '' : `: ${said}`}`,
      );
    }
    return result.exitCode;
  }
}
