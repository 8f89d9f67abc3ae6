import type { MaintenanceWindow } from '../../engine/ports/maintenance-window.js';

/** `adapter: none`: no user-facing window (a lab, or a service with its own failover). */
export class NoMaintenance implements MaintenanceWindow {
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async isOpen(): Promise<undefined> {
    return undefined;
  }
}
