import type { z } from 'zod';
import { type HardwareClass, hardwareClassSchema } from './hardware-class-schema.js';
import { isPlainRecord, type PlainRecord } from './plain-record.js';
import { planFileSchema } from './plan-file-schema.js';
import { fastPlannedServer } from './planned-server-fast-check.js';
import { fastServerSpec } from './server-spec-fast-check.js';

/**
 * zod's `safeParse` of the two files that list the fleet server by server (a class file, a plan
 * file), with the same result, but with the servers (all but the first) checked by the fast
 * checks instead of zod: at 100,000 servers zod was the largest part of loading them.
 *
 * How it keeps zod's answer: when every server record is plainly valid, zod parses the file with
 * each list cut to its first record. The schemas set no upper bound on a list and judge each
 * record on its own, so the whole file passes exactly when the cut one does, and its servers are
 * what the fast checks returned. In every other case (a record the fast check does not vouch for,
 * a file the cut parse refuses) zod parses the whole file as given: every message is zod's.
 */
export function safeParseHardwareClass(value: unknown): z.ZodSafeParseResult<HardwareClass> {
  const checked = withServersChecked(value, fastServerSpec);
  if (checked !== undefined) {
    const cut = hardwareClassSchema.safeParse(checked.cut);
    if (cut.success) return { success: true, data: { ...cut.data, servers: checked.servers } };
  }
  return hardwareClassSchema.safeParse(value);
}

type PlanFile = z.output<typeof planFileSchema>;

/** {@link safeParseHardwareClass} for a plan file: each wave's servers checked by hand. */
export function safeParsePlanFile(value: unknown): z.ZodSafeParseResult<PlanFile> {
  const waves =
    isPlainRecord(value) && Array.isArray(value.waves)
      ? value.waves.map((wave: unknown) => withServersChecked(wave, fastPlannedServer))
      : undefined;
  if (waves?.every((wave) => wave !== undefined)) {
    const cut = planFileSchema.safeParse({ ...(value as PlainRecord), waves: waves.map((wave) => wave.cut) });
    if (cut.success) {
      const checkedWaves = cut.data.waves.map((wave, index) => ({
        ...wave,
        servers: waves[index]?.servers ?? [],
      }));
      return { success: true, data: { ...cut.data, waves: checkedWaves } };
    }
  }
  return planFileSchema.safeParse(value);
}

/** A record whose `servers` the fast check vouches for: the record with that list cut, and the checked list. */
interface ServersChecked<T> {
  readonly cut: PlainRecord;
  readonly servers: T[];
}

function withServersChecked<T>(
  record: unknown,
  check: (server: unknown) => T | undefined,
): ServersChecked<T> | undefined {
  if (!isPlainRecord(record) || !Array.isArray(record.servers)) return undefined;
  const servers: T[] = new Array(record.servers.length);
  for (let index = 0; index < servers.length; index += 1) {
    const server = check(record.servers[index]);
    if (server === undefined) return undefined;
    servers[index] = server;
  }
  return { cut: { ...record, servers: record.servers.slice(0, 1) }, servers };
}
