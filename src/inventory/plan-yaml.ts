import type { Plan } from '../model/plan.js';
import { fastPlanYaml } from './plan-yaml-fast-path.js';
import { yamlPackage } from './yaml-package.js';

/**
 * The plan as the YAML file a DBA reviews: a header saying where it came from, and one line per
 * server (`{ name, class, date }`) so that a diff of two plans reads as moves. Written directly
 * when every value is a plain word or number (plan-yaml-fast-path.ts, the same bytes), otherwise
 * through the yaml package.
 */
export function planToYaml(plan: Plan, header: readonly string[] = []): string {
  return fastPlanYaml(plan, header) ?? planToYamlDocument(plan, header);
}

/** The plan through the yaml package's Document: any value, quoted as YAML needs. */
export function planToYamlDocument(plan: Plan, header: readonly string[] = []): string {
  const { Document, isMap, isSeq } = yamlPackage();
  const document = new Document(plan);
  const waves = document.get('waves', true);
  if (isSeq(waves)) {
    for (const wave of waves.items) {
      if (!isMap(wave)) continue;
      const servers = wave.get('servers', true);
      if (isSeq(servers)) for (const server of servers.items) if (isMap(server)) server.flow = true;
      const days = wave.get('days', true);
      if (isSeq(days)) {
        for (const day of days.items) {
          const capacity = isMap(day) ? day.get('capacity', true) : undefined;
          if (isMap(capacity)) capacity.flow = true;
        }
      }
    }
  }
  document.commentBefore = header.map((line) => ` ${line}`).join('\n') || null;
  return document.toString({ lineWidth: 0 });
}
