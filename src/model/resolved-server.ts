/**
 * A planned server joined with its class and the campaign's defaults: everything the engine
 * needs to act on it, with no optional lookups left.
 */
export interface ResolvedServer {
  readonly name: string;
  readonly class: string;
  readonly host: string;
  readonly port: number;
  readonly sshPort: number;
  /** The server's own SSH user, when it has one; else the campaign's `ssh.user`. */
  readonly sshUser?: string;
  readonly transport: 'ssh' | 'local';
  readonly datacenter: string;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
  readonly shard?: string;
  readonly dataDir?: string;
  readonly errorLog?: string;
  readonly mdLayout?: string;
  /** Class vars overlaid with the server's vars (`{{vars.NAME}}`). */
  readonly vars: Readonly<Record<string, string>>;
}
