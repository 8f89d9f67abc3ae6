import { START_LINE } from '../model/server-flavour.js';

/**
 * The starts a server's error log announces, and as which version: the line shapes of each
 * flavour are model/server-flavour.ts's START_LINE.
 */

/** One start the log announces: the version the server said it runs, and the line it said it on. */
export interface ServerStart {
  readonly version: string;
  /** 0-based index into the lines given. */
  readonly line: number;
}

const { ready: READY, versionSameLine: VERSION_HERE, versionNextLine: VERSION_NEXT } = START_LINE;

/** Every start `lines` announce, in order. */
export function serverStarts(lines: readonly string[]): ServerStart[] {
  const starts: ServerStart[] = [];
  lines.forEach((text, line) => {
    if (!READY.test(text)) return;
    const version = VERSION_HERE.exec(text)?.[1] ?? VERSION_NEXT.exec(lines[line + 1] ?? '')?.[1];
    if (version !== undefined) starts.push({ version, line });
  });
  return starts;
}
