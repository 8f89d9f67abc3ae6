import { ExitStatus, InputError, UsageError } from '../core/errors.js';
import { CAMPAIGN_WAVE, type HandoffRecord, type JournalRecord } from '../engine/journal/journal-record.js';
import type { LockIdentity } from '../engine/lock/lock-owner.js';
import { resolveStateDir } from '../engine/lock/state-dir.js';
import { loadPlan } from '../inventory/load-plan.js';
import { dayOwners } from '../planner/day-owners.js';
import { describeHandoff, handoffsOf, inChargeOn, localDate } from '../report/in-charge.js';
import { openCampaignState } from './campaign-state.js';
import type { CommandServices } from './command-services.js';

/** The flags of `dbwave handoff`. */
export interface HandoffArguments {
  readonly plan: string;
  readonly to: string;
  readonly note?: string | undefined;
  readonly json?: boolean | undefined;
  readonly stateDir?: string | undefined;
}

/** What `dbwave handoff` is given: the process's services, and who records it. */
export interface HandoffServices extends CommandServices {
  readonly identity: LockIdentity;
}

/** A note is one line a person reads in a chat message: longer belongs in a ticket it names. */
export const MAX_NOTE_LENGTH = 500;

/** What is wrong with a note, if anything. */
function noteProblem(note: string): string | undefined {
  if (note.trim() === '') return 'is empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(note)) return 'holds a line break or a control character: give one line';
  if (note.length > MAX_NOTE_LENGTH) return `is ${note.length} characters long; at most ${MAX_NOTE_LENGTH}`;
  return undefined;
}

/**
 * `dbwave handoff PLAN --to NAME [--note TEXT]`: records in the campaign's state store that NAME
 * (one of `owners.people`) is in charge from now on, with who was, the note, when, and the
 * operator and host that recorded it. `status` shows it, and the next broadcast announces it
 * once. Exit 0 when recorded; 2 for a campaign without owners, an unknown name, someone already in
 * charge or a bad note (nothing written); 3 when the file store's lock is held by a run.
 */
export async function recordHandoff(args: HandoffArguments, services: HandoffServices): Promise<ExitStatus> {
  if (args.note !== undefined) {
    const problem = noteProblem(args.note);
    if (problem !== undefined) throw new UsageError(`--note ${problem}`);
  }
  const loaded = await loadPlan(args.plan, { cwd: services.cwd });
  const { campaign, campaignFile, sources } = loaded.inventory;
  const timezone = loaded.plan.timezone;
  const shown = sources.campaign(['owners']);
  const owners = campaign.owners;
  if (owners === undefined) {
    throw InputError.of(
      shown.file,
      'owners',
      'the campaign names nobody in charge: add owners: { people: [{ name, contact }], days: [...] } to hand off',
    );
  }
  const names = owners.people.map((person) => person.name);
  if (!names.includes(args.to)) {
    const at = sources.campaign(['owners', 'people']);
    throw InputError.of(
      at.file,
      'owners.people',
      `--to ${args.to} is not one of them (${names.join(', ')})`,
      at.line,
    );
  }
  const stateDir = resolveStateDir(campaignFile, campaign, args.stateDir);
  const state = await openCampaignState({ campaign, campaignFile, stateDir, clock: services.clock });
  try {
    const now = services.clock.now();
    const inCharge = inChargeOn(
      localDate(now, timezone),
      dayOwners(owners),
      owners.people,
      handoffsOf((await state.read()).records),
      timezone,
    );
    if (inCharge.name === args.to)
      throw new UsageError(`${args.to} is already in charge of ${campaign.campaign}`);
    const operator = await state.operatorJournal(services.identity);
    let written: JournalRecord;
    try {
      written = await operator.journal.append({
        kind: 'handoff',
        wave: CAMPAIGN_WAVE,
        ...(inCharge.name === undefined ? {} : { from: inCharge.name }),
        to: args.to,
        ...(args.note === undefined ? {} : { note: args.note }),
        user: services.identity.user,
        host: services.identity.host,
      });
    } finally {
      await operator.release();
    }
    if (written.kind !== 'handoff')
      throw new Error(`the journal wrote a ${written.kind} record for a hand-off`);
    const record: HandoffRecord = written;
    services.streams.stdout.write(
      args.json === true
        ? `${JSON.stringify(record, null, 2)}\n`
        : `${campaign.campaign}: ${describeHandoff(record, timezone)}; recorded in ${state.journalWhere}\n`,
    );
    return ExitStatus.Ok;
  } finally {
    await state.close();
  }
}
