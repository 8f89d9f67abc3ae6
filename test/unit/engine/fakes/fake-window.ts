import type { MaintenanceWindow } from '../../../../src/engine/ports/maintenance-window.js';
import type { ResolvedServer } from '../../../../src/model/resolved-server.js';
import type { CrashSwitch } from './crash-switch.js';

/** A 503 window per server, with a count of opens and closes. */
export class FakeWindow implements MaintenanceWindow {
  readonly open_ = new Map<string, boolean>();
  opens = 0;
  closes = 0;
  failOpen = false;
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

  isOpenNow(name: string): boolean {
    return this.open_.get(name) ?? false;
  }
}
