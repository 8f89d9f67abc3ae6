import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../../core/duration.js';
import type { CommandOutputEntry, CommandOutputSink } from '../../engine/ports/server-connectors.js';

/**
 * Keeps each command's output (already capped by the shell) in the state dir, at
 * `<stateDir>/output/<server>/<seq>-<step>-<label>.log`, readable by its owner only: output can
 * hold whatever a DBA's command prints. `seq` counts a server's commands in run order and
 * carries on after the files already there, so a resumed run adds to them.
 */
export class CommandOutputStore implements CommandOutputSink {
  private readonly nextSeq = new Map<string, Promise<number>>();

  constructor(private readonly stateDir: string) {}

  /** Where an output file goes; the seq is zero-padded so that `ls` lists files in run order. */
  pathFor(server: string, seq: number, step: string, label: string): string {
    const name = `${String(seq).padStart(6, '0')}-${safeSegment(step)}-${safeSegment(label)}.log`;
    return join(this.folderFor(server), name);
  }

  async save(entry: CommandOutputEntry): Promise<void> {
    await this.write(entry);
  }

  /** Writes one command's output; resolves with the file's path. */
  async write(entry: CommandOutputEntry): Promise<string> {
    const seq = await this.claimSeq(entry.server);
    const file = this.pathFor(entry.server, seq, entry.step, entry.label);
    const status =
      entry.exitCode === null ? 'none (killed, timed out or connection lost)' : String(entry.exitCode);
    const text = [
      `# server: ${entry.server}`,
      `# step: ${entry.step} (${entry.label})`,
      `# at: ${entry.at}`,
      `# command: ${entry.command.replaceAll('\n', '\n#          ')}`,
      `# exit: ${status}`,
      `# duration: ${formatDuration(entry.durationMs)}`,
      '--- stdout ---',
      entry.stdout,
      '--- stderr ---',
      entry.stderr,
      '',
    ].join('\n');
    await writeFile(file, text, { mode: 0o600 });
    // The mode above only applies to a new file; an overwritten one is made private too.
    await chmod(file, 0o600);
    return file;
  }

  private folderFor(server: string): string {
    return join(this.stateDir, 'output', safeSegment(server));
  }

  /** The next seq of a server: one past the highest file already there, then counted here. */
  private claimSeq(server: string): Promise<number> {
    const previous = this.nextSeq.get(server) ?? this.highestSeq(server);
    const claimed = previous.then((seq) => seq + 1);
    this.nextSeq.set(server, claimed);
    return claimed;
  }

  private async highestSeq(server: string): Promise<number> {
    const folder = this.folderFor(server);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const seqs = (await readdir(folder)).map((name) => Number(/^(\d+)-/.exec(name)?.[1] ?? 0));
    return Math.max(0, ...seqs);
  }
}

/** Server and step names are identifiers already; this keeps a bad one from leaving the folder. */
function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' || /^\.+$/.test(cleaned) ? '_' : cleaned;
}
