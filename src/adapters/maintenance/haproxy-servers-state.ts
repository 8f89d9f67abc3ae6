/**
 * HAProxy's `show servers state [<backend>]` answer: a format version line (`1`), a `# `
 * header naming the columns, then one space-separated line per server. Columns are looked up
 * by name from the header, since HAProxy versions append columns.
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
  const lines = text.split('\n').map((line) => line.trim());
  const header = lines.find((line) => line.startsWith('#'));
  if (header === undefined) return [];
  const columns = header.replace(/^#\s*/, '').split(/\s+/);
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`show servers state: no ${name} column in "${header}"`);
    return index;
  };
  const backendAt = column('be_name');
  const serverAt = column('srv_name');
  const adminAt = column('srv_admin_state');
  const operationalAt = column('srv_op_state');
  const states: HaproxyServerState[] = [];
  for (const line of lines) {
    if (line === '' || line.startsWith('#') || /^\d+$/.test(line)) continue;
    const fields = line.split(/\s+/);
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
