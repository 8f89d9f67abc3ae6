import { readFileSync } from 'node:fs';

/**
 * Whether a process recorded in a lock is still the one that wrote it. `kill(pid, 0)` alone says
 * yes to a zombie (in a container without an init nothing reaps it) and to an unrelated process
 * that got the same pid after a reboot or a wrap-around; Linux's /proc tells both apart: a
 * zombie's state is `Z`, and a reused pid has another start time.
 */

/** Where /proc is read from; tests point it at a fake tree. */
export interface ProcFiles {
  readText(path: string): string | undefined;
}

const realProc: ProcFiles = {
  readText: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** The fields of /proc/PID/stat dbwave reads: the state letter and the start time in ticks. */
interface ProcStat {
  readonly state: string;
  readonly startTicks: string;
}

/** The name (field 2) may hold spaces and parentheses: fields are counted after its last `)`. */
function parseStat(text: string): ProcStat | undefined {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, starttime field 22 (proc(5)), i.e. rest[0] and rest[19].
  const state = rest[0];
  const startTicks = rest[19];
  if (state === undefined || startTicks === undefined || !/^\d+$/.test(startTicks)) return undefined;
  return { state, startTicks };
}

/**
 * When `pid` started, as `<boot id>:<ticks since boot>`: the same text only for the same process
 * of the same boot. Undefined where /proc is not there (not Linux, or hidden).
 */
export function processStartOf(pid: number, proc: ProcFiles = realProc): string | undefined {
  const stat = proc.readText(`/proc/${pid}/stat`);
  const bootId = proc.readText('/proc/sys/kernel/random/boot_id')?.trim();
  const parsed = stat === undefined ? undefined : parseStat(stat);
  if (parsed === undefined || bootId === undefined || bootId === '') return undefined;
  return `${bootId}:${parsed.startTicks}`;
}

/**
 * Whether the process that wrote a lock is alive on this host: not gone, not a zombie, and (when
 * the lock recorded it) started at the recorded time, so a reused pid is not mistaken for it.
 * Without /proc, falls back to signal 0.
 */
export function isProcessAlive(pid: number, recordedStart?: string, proc: ProcFiles = realProc): boolean {
  if (proc.readText('/proc/self/stat') === undefined) return signalZeroAnswers(pid);
  const stat = proc.readText(`/proc/${pid}/stat`);
  if (stat === undefined) return false;
  const parsed = parseStat(stat);
  if (parsed === undefined) return signalZeroAnswers(pid);
  if (parsed.state === 'Z' || parsed.state === 'X') return false;
  if (recordedStart === undefined) return true;
  return processStartOf(pid, proc) === recordedStart;
}

/** Signal 0 probes without touching the process; EPERM means it exists under another user. */
function signalZeroAnswers(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
