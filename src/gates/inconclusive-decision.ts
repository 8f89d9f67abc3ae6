/** What happens to a server whose gate is inconclusive (campaign gates.inconclusive). */
export type InconclusiveAction = 'continue' | 'rollback' | 'pause';

/**
 * Why the campaign, not the DBA, decided although a terminal was there: the server's 503 window
 * was open (nobody is asked while users wait), or the question's time ran out.
 */
export type PolicyReason = 'inside-window' | 'timed-out';

/** The GateRecord `decision`: the action and who chose it. */
export interface InconclusiveDecision {
  readonly action: InconclusiveAction;
  readonly by: 'operator' | 'campaign';
  /** Set when the campaign decided in the DBA's place (see PolicyReason). */
  readonly because?: PolicyReason;
}

/**
 * Asks the DBA at a terminal; resolves undefined when nobody answers (or the prompt is closed),
 * in which case the campaign decides. The signal aborts when the question's time is up: the
 * prompt must close then.
 */
export type AskOperator = (signal: AbortSignal) => Promise<InconclusiveAction | undefined>;

/** How long a question waits (campaign questions.timeout) and what decides after it (questions.default). */
export interface QuestionLimit {
  readonly timeoutMs: number;
  readonly answer: InconclusiveAction;
  /** Resolves after `ms` (the injected clock's sleep); rejects when `signal` aborts first. */
  readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Where the question would be asked: inside the server's 503 window it never is. */
export interface DecisionSetting {
  readonly insideWindow?: boolean;
  readonly limit?: QuestionLimit;
  /** The run's own interruption: the question closes with it. */
  readonly signal?: AbortSignal;
}

/**
 * Decides an inconclusive verdict: at a terminal the engine passes `ask` and the DBA chooses
 * (continue, roll back, pause); without one (cron, CI, a closed prompt) the campaign's policy
 * decides. Inside the server's 503 window nobody is asked (users would wait on a person): the
 * policy decides there, journaled as such. A question that `limit` times out gets its default
 * answer. Nothing else: no I/O here, the prompt is the caller's.
 */
export async function decideInconclusive(
  policy: InconclusiveAction,
  ask?: AskOperator,
  setting: DecisionSetting = {},
): Promise<InconclusiveDecision> {
  if (setting.insideWindow === true) return { action: policy, by: 'campaign', because: 'inside-window' };
  if (ask !== undefined) {
    const answer = await askWithin(ask, setting);
    if (answer === TIMED_OUT && setting.limit !== undefined)
      return { action: setting.limit.answer, by: 'campaign', because: 'timed-out' };
    if (answer !== undefined && answer !== TIMED_OUT) return { action: answer, by: 'operator' };
  }
  return { action: policy, by: 'campaign' };
}

/** What a question that ran out of time answers: no action is spelled so. */
const TIMED_OUT = 'timed-out';

/** The DBA's answer, or TIMED_OUT once the limit passed first (the prompt is then closed). */
async function askWithin(
  ask: AskOperator,
  setting: DecisionSetting,
): Promise<InconclusiveAction | undefined | typeof TIMED_OUT> {
  const question = new AbortController();
  const signal =
    setting.signal === undefined ? question.signal : AbortSignal.any([question.signal, setting.signal]);
  const limit = setting.limit;
  try {
    const answered = ask(signal).catch(() => undefined);
    if (limit === undefined) return await answered;
    const timedOut = limit.wait(limit.timeoutMs, signal).then(
      (): typeof TIMED_OUT => TIMED_OUT,
      // The wait was cut short because the question ended or the run was interrupted.
      () => undefined,
    );
    return await Promise.race([answered, timedOut]);
  } finally {
    question.abort(new Error('the question is over'));
  }
}
