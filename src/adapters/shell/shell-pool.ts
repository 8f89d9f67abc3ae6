import { TransportError } from '../../core/errors.js';
import type { RemoteShell } from '../../engine/ports/remote-shell.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import { LocalShell } from '../local/local-shell.js';
import type { SshConfig } from '../ssh/ssh-config.js';
import { connectSsh } from '../ssh/ssh-shell.js';

export interface ShellPoolOptions {
  /** Needed as soon as one server's class says `transport: ssh`. */
  readonly ssh?: SshConfig;
  /** Output kept per stream for `transport: local` commands (SSH takes it from `ssh`). */
  readonly maxOutputBytes: number;
  /** The environment of local commands (see `LocalShellOptions.environment`). */
  readonly childEnvironment?: Readonly<Record<string, string>>;
  /** Replaced by tests; the node-ssh connector otherwise. */
  readonly connect?: (server: ResolvedServer, config: SshConfig) => Promise<RemoteShell>;
}

/**
 * One shell per server for a whole run: the first command to a server opens its SSH
 * connection, later ones reuse it; `transport: local` servers share nothing and get their own
 * `LocalShell`. A failed connection is not cached, so the next attempt connects afresh.
 */
export class ShellPool {
  private readonly shells = new Map<string, Promise<RemoteShell>>();

  constructor(private readonly options: ShellPoolOptions) {}

  shellFor(server: ResolvedServer): Promise<RemoteShell> {
    const known = this.shells.get(server.name);
    if (known !== undefined) return known;
    const opened = this.open(server);
    this.shells.set(server.name, opened);
    opened.catch(() => {
      if (this.shells.get(server.name) === opened) this.shells.delete(server.name);
    });
    return opened;
  }

  /** Closes one server's shell (after its upgrade), so a long wave does not hold every connection. */
  async release(server: ResolvedServer): Promise<void> {
    const shell = this.shells.get(server.name);
    this.shells.delete(server.name);
    await (await shell?.catch(() => undefined))?.close();
  }

  async closeAll(): Promise<void> {
    const shells = [...this.shells.values()];
    this.shells.clear();
    await Promise.all(shells.map(async (shell) => (await shell.catch(() => undefined))?.close()));
  }

  private async open(server: ResolvedServer): Promise<RemoteShell> {
    if (server.transport === 'local') {
      return new LocalShell({
        label: server.name,
        maxOutputBytes: this.options.maxOutputBytes,
        ...(this.options.childEnvironment === undefined
          ? {}
          : { environment: this.options.childEnvironment }),
      });
    }
    const ssh = this.options.ssh;
    if (ssh === undefined) {
      throw new TransportError(
        server.host,
        `${server.name} uses transport ssh but the campaign has no ssh: block`,
        {
          retryable: false,
        },
      );
    }
    return (this.options.connect ?? connectSsh)(server, ssh);
  }
}
