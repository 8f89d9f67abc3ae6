import type { CommandResult, ExecOptions, RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import type { SqlRow, SqlSession } from '../../../src/engine/ports/sql-session.js';

/** Answers each statement with `respond`; a thrown error is the server's error. Keeps every statement. */
export class FakeSqlSession implements SqlSession {
  readonly statements: string[] = [];

  constructor(private readonly respond: (sql: string) => readonly SqlRow[] | Promise<readonly SqlRow[]>) {}

  async query(sql: string): Promise<readonly SqlRow[]> {
    this.statements.push(sql);
    return this.respond(sql);
  }

  async close(): Promise<void> {}
}

/** Runs nothing: answers each command line with `respond`, and keeps every line it was given. */
export class FakeShell implements RemoteShell {
  readonly commands: string[] = [];

  constructor(private readonly respond: (command: string) => Partial<CommandResult>) {}

  async exec(command: string, _options: ExecOptions): Promise<CommandResult> {
    this.commands.push(command);
    return { exitCode: 0, stdout: '', stderr: '', durationMs: 1, ...this.respond(command) };
  }

  async close(): Promise<void> {}
}

/** SHOW STATUS rows from a name -> value map. */
export function statusRows(values: Readonly<Record<string, string | number>>): SqlRow[] {
  return Object.entries(values).map(([Variable_name, Value]) => ({ Variable_name, Value: String(Value) }));
}
