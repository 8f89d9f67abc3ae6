import type { JournalRecord } from '../../../../src/engine/journal/journal-record.js';
import type { ClaimRequest, WaveClaim, WaveClaims } from '../../../../src/engine/ports/wave-claims.js';
import { type ClaimRow, type ClaimState, decideClaim } from '../../../../src/engine/wave/claim-decision.js';
import type { SchedulableServer } from '../../../../src/engine/wave/wave-scheduler.js';

/**
 * The claims of one wave in memory, shared by several runners: each runner gets its own view
 * (its name and token) of one table, and every claim decides with decideClaim, as the MySQL
 * store does inside its transaction. `gone` marks a runner's lease as expired.
 */
export class MemoryClaimTable {
  readonly rows = new Map<string, { runner: string; token: number; state: ClaimState }>();
  readonly live = new Set<number>();
  /** Every claim granted, in order: `runner server` (`runner server took-over` for a take-over). */
  readonly granted: string[] = [];
  /** The wave was journaled finished since its last claim. */
  private finished = false;

  constructor(private readonly journal: () => readonly JournalRecord[] = () => []) {}

  runner(runner: string, token: number): WaveClaims {
    this.live.add(token);
    return {
      retryMs: 1_000,
      claim: async <S extends SchedulableServer>(request: ClaimRequest<S>): Promise<WaveClaim<S>> => {
        const claims: ClaimRow[] = [...this.rows].map(([server, row]) => ({
          server,
          ...row,
          holderLive: this.live.has(row.token),
        }));
        const decision = decideClaim({ ...request, token, claims });
        if (decision.kind !== 'claim' && decision.kind !== 'take-over') return decision;
        this.rows.set(decision.server.name, { runner, token, state: 'running' });
        this.finished = false;
        const tookOver = decision.kind === 'take-over';
        this.granted.push(`${runner} ${decision.server.name}${tookOver ? ' took-over' : ''}`);
        return {
          kind: 'claimed',
          server: decision.server,
          ...(tookOver || decision.resume ? { journal: this.journal() } : {}),
          ...(tookOver ? { tookOverFrom: `runner ${decision.from.runner}` } : {}),
        };
      },
      settle: async (server, state) => {
        const row = this.rows.get(server);
        if (row?.token !== token || !this.live.has(token)) throw new Error(`${runner} lost its lease`);
        this.rows.set(server, { ...row, state });
      },
      finishWave: async (servers) => {
        const settled =
          ![...this.rows.values()].some((row) => row.state === 'running') &&
          servers.every((server) => ['succeeded', 'failed'].includes(this.rows.get(server)?.state ?? ''));
        if (!settled || this.finished) return false;
        this.finished = true;
        return true;
      },
    };
  }

  /** The runner's lease expires: its running claims may be taken over. */
  gone(token: number): void {
    this.live.delete(token);
  }
}
