import type { MaintenanceWindow, SessionDrain } from '../../../../src/engine/ports/maintenance-window.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';
import type { CrashSwitch } from './crash-switch.js';

/** A 503 window per server, with a count of opens and closes. */
export class FakeWindow implements MaintenanceWindow {
  readonly open_ = new Map<string, boolean>();
  opens = 0;
  closes = 0;
  failOpen = false;
  /** When set, the precheck refuses with it (a load balancer that does not answer). */
  precheckError: Error | undefined;
  /** Set by a test: the window drains before it opens (see `fakeDrain`). */
  drain: SessionDrain | undefined;
  /** The order windows were opened and closed in, across servers. */
  readonly log: string[] = [];

  constructor(private readonly crash: CrashSwitch) {}

  async open(server: ResolvedServer): Promise<void> {
    this.crash.tick();
    if (this.failOpen) throw new Error('load balancer refused');
    this.opens += 1;
    this.open_.set(server.name, true);
    this.log.push(`open ${server.name}`);
  }

  async close(server: ResolvedServer): Promise<void> {
    this.crash.tick();
    this.closes += 1;
    this.open_.set(server.name, false);
    this.log.push(`close ${server.name}`);
  }

  async isOpen(server: ResolvedServer): Promise<boolean | undefined> {
    this.crash.tick();
    return this.open_.get(server.name) ?? false;
  }

  async precheck(): Promise<void> {
    if (this.precheckError !== undefined) throw this.precheckError;
  }

  isOpenNow(name: string): boolean {
    return this.open_.get(name) ?? false;
  }
}

/**
 * A drain whose sessions all end `lastsMs` after it began on `now()`'s clock (never, for
 * Infinity); it logs `drain NAME` into the window's log, so the order against `open NAME` shows.
 */
export function fakeDrain(
  window: FakeWindow,
  now: () => number,
  options: { readonly timeoutMs: number; readonly lastsMs: number; readonly sessions: number },
): SessionDrain {
  let began = Number.POSITIVE_INFINITY;
  const sessions = async (): Promise<number> => (now() - began < options.lastsMs ? options.sessions : 0);
  return {
    timeoutMs: options.timeoutMs,
    begin: async (server) => {
      began = now();
      window.log.push(`drain ${server.name}`);
      return sessions();
    },
    sessions,
  };
}
