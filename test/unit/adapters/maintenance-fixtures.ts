import {
  createMaintenanceWindow,
  type MaintenanceContext,
} from '../../../src/adapters/maintenance/maintenance-window-factory.js';
import type { MaintenanceWindow } from '../../../src/engine/ports/maintenance-window.js';
import type { MaintenanceSpec } from '../../../src/model/campaign-schema.js';
import { campaign } from './server-fixtures.js';

/** The factory with the unit tests' campaign. */
export function maintenanceWindowFor(
  spec: MaintenanceSpec,
  campaignFile: string,
  extra: Partial<MaintenanceContext> = {},
): MaintenanceWindow {
  return createMaintenanceWindow(spec, { campaign, campaignFile, ...extra });
}
