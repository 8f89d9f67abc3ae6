import {
  createMaintenanceWindow,
  type MaintenanceContext,
} from '../../../src/adapters/maintenance/maintenance-window-factory.js';
import type { MaintenanceWindow } from '../../../src/engine/ports/maintenance-window.js';
import { type MaintenanceSpecInput, maintenanceSchema } from '../../../src/model/campaign-schema.js';
import { campaign } from './server-fixtures.js';

/** The factory with the unit tests' campaign, given a `maintenance:` block as a campaign file holds it. */
export function maintenanceWindowFor(
  spec: MaintenanceSpecInput,
  campaignFile: string,
  extra: Partial<MaintenanceContext> = {},
): MaintenanceWindow {
  return createMaintenanceWindow(maintenanceSchema.parse(spec), { campaign, campaignFile, ...extra });
}
