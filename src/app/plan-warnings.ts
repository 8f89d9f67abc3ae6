import type { Inventory } from '../inventory/load-inventory.js';
import type { Plan } from '../model/plan.js';
import { calendarWarnings, localToday } from '../planner/calendar-warnings.js';
import { capacityWarning, estimateCapacity } from '../planner/capacity-estimate.js';

/**
 * Everything `plan`, `check` and `show` warn about a plan without refusing it: days whose work
 * may not fit their window, windows moved by a daylight-saving gap, a plan entirely in the past.
 */
export function planWarnings(
  plan: Plan,
  inventory: Pick<Inventory, 'classes' | 'campaign'>,
  nowMs: number = Date.now(),
): string[] {
  const { campaign } = inventory;
  const capacity = estimateCapacity(plan, inventory.classes, campaign)
    .map(capacityWarning)
    .filter((warning): warning is string => warning !== undefined);
  return [...capacity, ...calendarWarnings(plan, campaign, localToday(nowMs, campaign.timezone))];
}
