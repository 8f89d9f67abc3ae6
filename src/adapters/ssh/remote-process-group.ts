import { shellQuote } from '../../model/shell-quote.js';

/**
 * sshd does not end a command when its channel closes (without a terminal there is no
 * SIGHUP) and OpenSSH ignores the `signal` channel request, so a timed-out command would run
 * on. sshd does start each command in a session of its own, though: the login shell's pid is
 * the process group of everything the command starts. Each command therefore first reports
 * that pid on stderr (a marker line dbwave strips), and a timeout ends the group from a second
 * channel — sparing database server processes, which are never dbwave's to kill.
 */

const MARKER_PREFIX = '\u001edbwave-pgid=';

/** The command as sent: report the process group, then run the DBA's text in the same login shell. */
export function wrapWithProcessGroupReport(command: string): string {
  return `printf '\\036dbwave-pgid=%s\\n' "$$" >&2; eval ${shellQuote(command)}`;
}

/** A shell script that ends a process group: SIGTERM, up to `graceSeconds`, then SIGKILL. */
export function terminateProcessGroupScript(
  pgid: number,
  sparedNames: readonly string[],
  graceSeconds: number,
): string {
  const spared = shellQuote(` ${sparedNames.join(' ')} `);
  const rounds = Math.max(1, Math.round(graceSeconds * 10));
  return [
    `pg=${pgid}; spared=${spared}`,
    'members() { for p in $(pgrep -g "$pg"); do n=$(cat "/proc/$p/comm" 2>/dev/null) || continue; ' +
      'case "$spared" in *" $n "*) ;; *) echo "$p" ;; esac; done; }',
    'm=$(members); [ -z "$m" ] && exit 0; kill -TERM $m 2>/dev/null',
    `i=0; while [ "$i" -lt ${rounds} ]; do m=$(members); [ -z "$m" ] && exit 0; sleep 0.1; i=$((i+1)); done`,
    'm=$(members); [ -n "$m" ] && kill -KILL $m 2>/dev/null; exit 0',
  ].join('\n');
}

/**
 * Reads the marker line off the front of a command's stderr and passes everything else on.
 * Until the first newline arrives, bytes are held back; a stderr without the marker is passed
 * on whole.
 */
export class ProcessGroupMarkerReader {
  private pending: Buffer | undefined = Buffer.alloc(0);
  /** The reported process group, once seen. */
  pgid: number | undefined;

  constructor(private readonly forward: (chunk: Buffer) => void) {}

  push(chunk: Buffer): void {
    if (this.pending === undefined) {
      this.forward(chunk);
      return;
    }
    const held = Buffer.concat([this.pending, chunk]);
    const newline = held.indexOf(0x0a);
    if (newline < 0 && held.length < 64) {
      this.pending = held;
      return;
    }
    this.pending = undefined;
    const line = held.subarray(0, newline < 0 ? 0 : newline).toString('latin1');
    if (newline >= 0 && line.startsWith(MARKER_PREFIX)) {
      const pgid = Number(line.slice(MARKER_PREFIX.length));
      if (Number.isInteger(pgid) && pgid > 1) this.pgid = pgid;
      const rest = held.subarray(newline + 1);
      if (rest.length > 0) this.forward(rest);
    } else {
      this.forward(held);
    }
  }

  /** At the end of the stream: whatever is still held back is the command's own output. */
  flush(): void {
    if (this.pending !== undefined && this.pending.length > 0) this.forward(this.pending);
    this.pending = undefined;
  }
}
