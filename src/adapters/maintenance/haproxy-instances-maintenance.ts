import { errorMessage, TransportError } from '../../core/errors.js';
import type { MaintenanceWindow, SessionDrain } from '../../engine/ports/maintenance-window.js';
import type { ResolvedServer } from '../../model/resolved-server.js';
import type { HaproxyMaintenance } from './haproxy-maintenance.js';

export interface HaproxyInstancesMaintenanceOptions {
  /** One per HAProxy instance (an HA pair, one per datacenter): every one is updated. */
  readonly instances: readonly HaproxyMaintenance[];
  /** `maintenance.drainTimeout`; 0 opens the window without draining. */
  readonly drainTimeoutMs: number;
}

/**
 * The 503 window across every HAProxy that sends the server traffic. Each change goes to every
 * instance at once and is verified on each (by `HaproxyMaintenance`); one that fails is named
 * in the error after the others were still tried, so that a close reaches every instance it
 * can. The window is open only when every instance holds the server in maint, closed only
 * when none holds it in maint or drain; anything between is neither (`undefined`), and the
 * window's probes then run their step again.
 */
export class HaproxyInstancesMaintenance implements MaintenanceWindow {
  readonly drain?: SessionDrain;

  constructor(private readonly options: HaproxyInstancesMaintenanceOptions) {
    if (options.drainTimeoutMs > 0) {
      this.drain = {
        timeoutMs: options.drainTimeoutMs,
        begin: async (server) =>
          sum(await this.everyInstance('drain', (instance) => instance.beginDrain(server))),
        sessions: async (server) =>
          sum(await this.everyInstance('count sessions', (instance) => instance.sessions(server))),
      };
    }
  }

  async open(server: ResolvedServer): Promise<void> {
    await this.everyInstance('open', (instance) => instance.open(server));
  }

  async close(server: ResolvedServer): Promise<void> {
    await this.everyInstance('close', (instance) => instance.close(server));
  }

  async isOpen(server: ResolvedServer): Promise<boolean | undefined> {
    const states = await this.everyInstance('read the state', (instance) => instance.windowState(server));
    if (states.every((state) => state === 'maint')) return true;
    if (states.every((state) => state === 'ready')) return false;
    return undefined;
  }

  async precheck(server: ResolvedServer): Promise<void> {
    await this.everyInstance('check', (instance) => instance.precheck(server));
  }

  /**
   * Runs `action` on every instance at once and waits for all of them. With one instance its
   * error is passed on as it is; with several, the error names each instance that failed.
   */
  private async everyInstance<T>(
    what: string,
    action: (instance: HaproxyMaintenance) => Promise<T>,
  ): Promise<T[]> {
    const { instances } = this.options;
    const settled = await Promise.allSettled(instances.map(action));
    const failed = settled.flatMap((result, index) =>
      result.status === 'rejected' ? [{ instance: instances[index], error: result.reason as unknown }] : [],
    );
    const [first] = failed;
    if (first === undefined) {
      return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    }
    if (instances.length === 1) throw first.error;
    const reached = instances.length - failed.length;
    throw new TransportError(
      'haproxy',
      `could not ${what} on ${failed.length} of ${instances.length} HAProxy instances (${reached} done): ${failed
        .map(({ instance, error }) => `${instance?.description}: ${errorMessage(error)}`)
        .join('; ')}`,
      { cause: first.error, retryable: false },
    );
  }
}

function sum(counts: readonly number[]): number {
  return counts.reduce((total, count) => total + count, 0);
}
