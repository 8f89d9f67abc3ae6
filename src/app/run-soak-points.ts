import { errorMessage } from '../core/errors.js';
import { nextSoakDue, soakSchedule } from '../engine/wave/soak-schedule.js';
import { DEFAULT_SOAK_POLL_MS, type HeldSoakOptions, settleDueSoakPoints } from './soak-round.js';

/** The soak points a run takes while its wave runs: stopped when the wave ends. */
export interface RunSoakPoints {
  /** Lets a point being taken finish, then stops looking. */
  stop(): Promise<void>;
}

/**
 * A `dbwave run` holds the campaign for as long as its wave runs, so that no other process can
 * take the soak points of the other waves that come due meanwhile: it takes them itself, looking
 * at the journal every `pollMs` (the same code as `dbwave soak`, settleDueSoakPoints, on the run's
 * own journal store). Ctrl-C (`signal`) cuts a point short, as in `dbwave soak`: it stays
 * interrupted and is taken again. A failure to take one is said and tried again at the next look:
 * it never stops the wave.
 */
export function takeSoakPointsWhileRunning(
  options: HeldSoakOptions & { readonly pollMs?: number },
): RunSoakPoints {
  const sleeping = new AbortController();
  let stopping = false;
  const loop = (async (): Promise<void> => {
    while (!stopping && !options.signal.aborted) {
      try {
        await settleDueSoakPoints(options);
      } catch (error) {
        options.say(`soak points: ${errorMessage(error)}; tried again at the next look`);
      }
      if (stopping) break;
      await options.clock
        .sleep(await untilNextLook(options), AbortSignal.any([options.signal, sleeping.signal]))
        .catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      sleeping.abort();
      await loop;
    },
  };
}

/** Until the next point of the waves comes due, and never longer than `pollMs` (a wave may end meanwhile). */
async function untilNextLook(options: HeldSoakOptions & { readonly pollMs?: number }): Promise<number> {
  const pollMs = options.pollMs ?? DEFAULT_SOAK_POLL_MS;
  try {
    const { records } = await options.journal.read();
    const now = options.clock.now();
    const points = options.waves.flatMap((wave) =>
      soakSchedule(records, wave, options.loaded.inventory.campaign.soak, now),
    );
    return Math.max(1, Math.min(pollMs, (nextSoakDue(points) ?? Number.POSITIVE_INFINITY) - now));
  } catch {
    return pollMs;
  }
}
