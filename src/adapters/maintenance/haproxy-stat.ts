/**
 * HAProxy's `show stat` answer: CSV whose first line is a `# ` header naming the columns
 * (`pxname,svname,qcur,qmax,scur,...`), then one line per frontend, server and backend.
 * Columns are looked up by name, since HAProxy versions append columns.
 */

/** One server's line: its current sessions (`scur`). */
export interface HaproxyServerSessions {
  readonly backend: string;
  readonly server: string;
  readonly sessions: number;
}

/** Parses the answer; an answer without the header (an error) yields no rows. */
export function parseStatSessions(text: string): HaproxyServerSessions[] {
  const lines = text.split('\n').map((line) => line.trim());
  const header = lines.find((line) => line.startsWith('#'));
  if (header === undefined) return [];
  const columns = header.replace(/^#\s*/, '').split(',');
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`show stat: no ${name} column in "${header}"`);
    return index;
  };
  const backendAt = column('pxname');
  const serverAt = column('svname');
  const sessionsAt = column('scur');
  const rows: HaproxyServerSessions[] = [];
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',');
    const backend = fields[backendAt];
    const server = fields[serverAt];
    const sessions = Number(fields[sessionsAt]);
    if (backend === undefined || server === undefined || fields[sessionsAt] === '') continue;
    if (server === 'FRONTEND' || server === 'BACKEND' || !Number.isInteger(sessions)) continue;
    rows.push({ backend, server, sessions });
  }
  return rows;
}
