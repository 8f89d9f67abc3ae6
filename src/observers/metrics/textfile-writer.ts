import { writeFileAtomically } from '../../core/write-file-atomically.js';

/**
 * A new textfile is 0644: node_exporter runs as its own user and must read it, and it holds what
 * the /metrics endpoint serves anyway (server names, steps, durations; no secret).
 */
export const TEXTFILE_MODE = 0o644;

/**
 * Keeps a node_exporter textfile (`--metrics-textfile FILE`, in the collector's directory, named
 * `*.prom`) up to date: each write replaces the whole file atomically, so the collector never
 * reads half a file. Writes are coalesced: asking while one is under way schedules exactly one
 * more, with the newest text.
 */
export class TextfileWriter {
  private readonly path: string;
  private readonly render: () => Promise<string>;
  private running: Promise<void> | undefined;
  private again = false;
  private lastError: unknown;

  constructor(path: string, render: () => Promise<string>) {
    this.path = path;
    this.render = render;
  }

  /** Asks for a write; resolves when the file holds text at least as new as this call. */
  update(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The last write's failure, if any: metrics never stop a wave, so it is reported, not thrown. */
  get error(): unknown {
    return this.lastError;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await writeFileAtomically(this.path, await this.render(), { mode: TEXTFILE_MODE });
        this.lastError = undefined;
      } catch (error) {
        this.lastError = error;
      }
    } while (this.again);
  }
}
