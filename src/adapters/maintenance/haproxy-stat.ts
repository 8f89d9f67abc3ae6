import { parseHeadedAnswer } from './haproxy-headed-answer.js';

/**
 * HAProxy's `show stat` answer: CSV whose first line is a `# ` header naming the columns
 * (`pxname,svname,qcur,qmax,scur,...`), then one line per frontend, server and backend.
 */

/** One server's line: its current sessions (`scur`). */
export interface HaproxyServerSessions {
  readonly backend: string;
  readonly server: string;
  readonly sessions: number;
}

/** Parses the answer; an answer without the header (an error) yields no rows. */
export function parseStatSessions(text: string): HaproxyServerSessions[] {
  const answer = parseHeadedAnswer(text, 'show stat', ',');
  if (answer === undefined) return [];
  const backendAt = answer.column('pxname');
  const serverAt = answer.column('svname');
  const sessionsAt = answer.column('scur');
  const rows: HaproxyServerSessions[] = [];
  for (const fields of answer.rows) {
    const backend = fields[backendAt];
    const server = fields[serverAt];
    const sessions = Number(fields[sessionsAt]);
    if (backend === undefined || server === undefined || fields[sessionsAt] === '') continue;
    if (server === 'FRONTEND' || server === 'BACKEND' || !Number.isInteger(sessions)) continue;
    rows.push({ backend, server, sessions });
  }
  return rows;
}
