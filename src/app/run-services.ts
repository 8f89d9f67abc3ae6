import type { LockIdentity } from '../engine/lock/lock-owner.js';
import type { EngineHooks } from '../engine/ports/engine-hooks.js';
import type { StatsAndGatesPorts } from '../gates/probes/stats-and-gates-hooks.js';
import type { Campaign } from '../model/campaign-schema.js';
import type { CampaignAdapters } from './campaign-adapters.js';
import type { CommandServices } from './command-services.js';
import type { AskAboutClients } from './topology-precheck.js';

/** What `run` and `rollback` are given: the process's services, the operator, and Ctrl-C. */
export interface RunServices extends CommandServices {
  /** stdin and stdout are a terminal: a person can confirm. */
  readonly interactive: boolean;
  /** Asks a yes/no question on the terminal. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly identity: LockIdentity;
  /** The real adapters unless replaced (tests). */
  readonly adapters?: (campaign: Campaign, campaignFile: string) => Promise<CampaignAdapters>;
  /** Replaces the stats and gates hooks (tests); by default the campaign's stats and gates run. */
  readonly hooks?: EngineHooks;
  /**
   * At a terminal: asks the DBA what an inconclusive gate means (continue, roll back, pause).
   * Absent, or resolving undefined, leaves it to the campaign's gates.inconclusive.
   */
  readonly askInconclusive?: StatsAndGatesPorts['ask'];
  /**
   * At a terminal without --yes: asks the DBA whether the run goes on despite clients that do not
   * come through the maintenance proxy. Absent, or resolving undefined, leaves it to the campaign's
   * clients.unexpected.
   */
  readonly askAboutClients?: AskAboutClients;
  /** First Ctrl-C: start no new server. */
  readonly halt?: AbortSignal;
  /** Second Ctrl-C: interrupt servers in flight (their windows are closed; a rerun resumes them). */
  readonly abort?: AbortSignal;
  /** dbwave's environment, where the campaign's notify URLs and keys are looked up (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
