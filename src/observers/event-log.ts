import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EngineEvents } from '../engine/events/engine-events.js';

/** The structured log beside the journal: `<stateDir>/dbwave.log.jsonl`. */
export const EVENT_LOG_FILE = 'dbwave.log.jsonl';
/** Its owner's only, like the journal beside it: it holds error messages and versions. */
export const EVENT_LOG_MODE = 0o600;

export interface EventLogOptions {
  readonly events: EngineEvents;
  /** The log file; its folder is created. */
  readonly path: string;
  readonly campaign: string;
}

export interface EventLog {
  /** Waits for pending lines, then stops listening. */
  close(): Promise<void>;
  /** The last write's failure, if any (reported by the caller; a log never stops a wave). */
  readonly error: unknown;
}

/**
 * One JSON line per engine event, every progress tick included (the journal keeps one every
 * 30 s): `{level, campaign, type, at, wave, server?, step?, event?, ...}`, `type` one of wave,
 * step, progress, alert, outcome. It holds what the events
 * hold: step facts, versions and error messages, never a password or a webhook URL, which are
 * not in events.
 */
export function attachEventLog(options: EventLogOptions): EventLog {
  let queue: Promise<void> = mkdir(dirname(options.path), { recursive: true, mode: 0o700 }).then(
    () => undefined,
  );
  let lastError: unknown;
  const write = (level: 'info' | 'warn' | 'error', type: string, payload: object): void => {
    const line = `${JSON.stringify({ level, campaign: options.campaign, type, ...payload })}\n`;
    queue = queue
      .then(() => appendFile(options.path, line, { encoding: 'utf8', mode: EVENT_LOG_MODE }))
      .catch((error: unknown) => {
        lastError = error;
      });
  };
  const detach = [
    options.events.on('wave', (payload) =>
      write(payload.event === 'halted' ? 'warn' : 'info', 'wave', payload),
    ),
    options.events.on('step', (payload) =>
      write(payload.event === 'failed' ? 'error' : 'info', 'step', payload),
    ),
    options.events.on('progress', (payload) => write('info', 'progress', payload)),
    options.events.on('canary', (payload) =>
      write(payload.decision === 'stop' ? 'warn' : 'info', 'canary', payload),
    ),
    options.events.on('alert', (payload) => write('warn', 'alert', payload)),
    options.events.on('outcome', (payload) =>
      write(
        payload.outcome === 'Upgraded' || payload.outcome === 'AlreadyUpgraded' ? 'info' : 'warn',
        'outcome',
        payload,
      ),
    ),
  ];
  return {
    close: async () => {
      for (const off of detach) off();
      await queue;
    },
    get error() {
      return lastError;
    },
  };
}
