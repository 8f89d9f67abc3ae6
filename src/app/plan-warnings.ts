import type { Inventory } from '../inventory/load-inventory.js';
import type { Plan } from '../model/plan.js';
import { calendarWarnings, localToday } from '../planner/calendar-warnings.js';
import { capacityWarning, type DayCapacity, estimateCapacity } from '../planner/capacity-estimate.js';

/**
 * Everything `plan`, `check` and `show` warn about a plan without refusing it: days whose work
 * may not fit their window, windows moved by a daylight-saving gap, a plan entirely in the past.
 */
export function planWarnings(
  plan: Plan,
  inventory: Pick<Inventory, 'classes' | 'campaign'>,
  options: {
    /** The plan's capacity estimate when the caller has it already (`show` prints it too). */
    readonly capacity?: readonly DayCapacity[];
    readonly nowMs?: number;
  } = {},
): string[] {
  const { campaign } = inventory;
  const nowMs = options.nowMs ?? Date.now();
  const capacity = (options.capacity ?? estimateCapacity(plan, inventory.classes, campaign))
    .map(capacityWarning)
    .filter((warning): warning is string => warning !== undefined);
  return [...capacity, ...calendarWarnings(plan, campaign, localToday(nowMs, campaign.timezone))];
}
