import type { CommandTemplates } from '../../model/campaign-schema.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { HostCommands } from './host-commands.js';
import type { RemoteShell } from './remote-shell.js';
import type { SqlSession } from './sql-session.js';

/**
 * How the engine reaches a server: the CLI hands it the SSH/local shell pool and the mysql2
 * adapter, unit tests hand it fakes.
 */
export interface ServerConnectors {
  /** The server's shell, connected (host key checked); may be shared across calls. */
  shell(server: ResolvedServer): Promise<RemoteShell>;
  /** A new SQL session to the server; the engine closes it. Rejects when the server does not answer. */
  sql(server: ResolvedServer): Promise<SqlSession>;
  /**
   * The server's host commands, from a connector that models them itself (the unit tests' fake
   * fleet). Left out, as by every real connector, the engine renders the campaign's templates and
   * runs them over `shell` (host-commands/shell-host-commands.ts).
   */
  hostCommands?(server: ResolvedServer, templates: CommandTemplates): HostCommands;
  /** Called once the engine is done with a server, to free its connections. */
  release?(server: ResolvedServer): Promise<void>;
}

/** Where each command's output is kept (size-capped) for the person reading a failure later. */
export interface CommandOutputSink {
  save(entry: CommandOutputEntry): Promise<void>;
}

export interface CommandOutputEntry {
  readonly server: string;
  readonly step: string;
  /** `stop`, `upgrade`, `df`...: which command of the step. */
  readonly label: string;
  readonly command: string;
  readonly at: string;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Keeps nothing: dry runs and unit tests. */
export const discardOutput: CommandOutputSink = { save: async () => undefined };
