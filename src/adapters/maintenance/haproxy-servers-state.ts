import { parseHeadedAnswer } from './haproxy-headed-answer.js';

/**
 * HAProxy's `show servers state [<backend>]` answer: a format version line (`1`), a `# `
 * header naming the columns, then one space-separated line per server.
 */

/** srv_admin_state bits (HAProxy's `enum srv_admin`). */
export const SrvAdmin = {
  /** Forced into maintenance through the runtime API: the bit dbwave sets and clears. */
  ForcedMaint: 0x01,
  /** Inherited maintenance from a tracked server. */
  InheritedMaint: 0x02,
  /** Maintenance from the configuration (`disabled`). */
  ConfigMaint: 0x04,
  ForcedDrain: 0x08,
  InheritedDrain: 0x10,
  /** Down because its address did not resolve. */
  ResolutionMaint: 0x20,
} as const;

/** Any of these bits and HAProxy sends the server no traffic (HAProxy's SRV_ADMF_MAINT mask). */
const ANY_MAINT = SrvAdmin.ForcedMaint | SrvAdmin.InheritedMaint | SrvAdmin.ResolutionMaint;

export interface HaproxyServerState {
  readonly backend: string;
  readonly server: string;
  readonly adminState: number;
  readonly operationalState: number;
  /** Forced into maintenance by the runtime API: dbwave's window is open. */
  readonly forcedMaintenance: boolean;
  /** In maintenance for any reason (also inherited or unresolved). */
  readonly inMaintenance: boolean;
}

/** Parses the answer; an answer without the header (`Can't find backend.`) yields no rows. */
export function parseServersState(text: string): HaproxyServerState[] {
  const answer = parseHeadedAnswer(text, 'show servers state', /\s+/);
  if (answer === undefined) return [];
  const backendAt = answer.column('be_name');
  const serverAt = answer.column('srv_name');
  const adminAt = answer.column('srv_admin_state');
  const operationalAt = answer.column('srv_op_state');
  const states: HaproxyServerState[] = [];
  for (const fields of answer.rows) {
    // The format version line (`1`) is a row of one field.
    if (fields.length === 1) continue;
    const adminState = Number(fields[adminAt]);
    const backend = fields[backendAt];
    const server = fields[serverAt];
    if (backend === undefined || server === undefined || !Number.isInteger(adminState)) continue;
    states.push({
      backend,
      server,
      adminState,
      operationalState: Number(fields[operationalAt]),
      forcedMaintenance: (adminState & SrvAdmin.ForcedMaint) !== 0,
      inMaintenance: (adminState & ANY_MAINT) !== 0,
    });
  }
  return states;
}
