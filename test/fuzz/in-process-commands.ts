import { checkPlanFile } from '../../src/app/check-plan-file.js';
import { checklistForWave } from '../../src/app/checklist-for-wave.js';
import type { CommandStreams } from '../../src/app/command-services.js';
import { planCampaign } from '../../src/app/plan-campaign.js';
import { showPlanFile } from '../../src/app/show-plan-file.js';
import { exitStatusOfHandler } from '../../src/cli/run-handler.js';
import type { ExitStatus } from '../../src/core/errors.js';
import { CAMPAIGN_FILE, PLAN_FILE } from './fuzz-corpus.js';

/** The flags a case runs the read commands with. */
export interface CommandFlags {
  readonly json: boolean;
  /** `plan --out out.plan.yaml`, or the default (beside the campaign, over the plan file). */
  readonly planOut: boolean;
  /** `checklist --wave N`: a wave of the plan, or one it does not have. */
  readonly wave: number;
  /** `checklist --out checklist.md`, or stdout. */
  readonly checklistOut: boolean;
}

export const COMMAND_NAMES = ['check', 'show', 'checklist', 'plan'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** The command line a case's command stands for, as `dbwave` would be called. */
export function commandLine(name: CommandName, flags: CommandFlags): string[] {
  const json = flags.json ? ['--json'] : [];
  switch (name) {
    case 'plan':
      return ['plan', CAMPAIGN_FILE, ...(flags.planOut ? ['--out', 'out.plan.yaml'] : []), ...json];
    case 'check':
      return ['check', PLAN_FILE];
    case 'show':
      return ['show', PLAN_FILE, ...json];
    case 'checklist':
      return [
        'checklist',
        PLAN_FILE,
        '--wave',
        String(flags.wave),
        ...(flags.checklistOut ? ['--out', 'checklist.md'] : []),
        ...json,
      ];
  }
}

/** What one command printed and its exit status, as the CLI would have ended. */
export interface CommandOutcome {
  readonly status: ExitStatus;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/**
 * Runs one command in this process through the CLI's own error handling (runHandler's), with
 * streams that keep what it writes. Without DBWAVE_DEBUG, as a user runs it.
 */
export async function runInProcess(
  name: CommandName,
  flags: CommandFlags,
  cwd: string,
): Promise<CommandOutcome> {
  let stdout = '';
  let stderr = '';
  const streams: CommandStreams = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const json = flags.json;
  const handler = (): Promise<ExitStatus> => {
    switch (name) {
      case 'plan':
        return planCampaign(
          { campaign: CAMPAIGN_FILE, json, ...(flags.planOut ? { out: 'out.plan.yaml' } : {}) },
          streams,
          cwd,
        );
      case 'check':
        return checkPlanFile({ plan: PLAN_FILE }, streams, cwd);
      case 'show':
        return showPlanFile({ plan: PLAN_FILE, json }, streams, cwd);
      case 'checklist':
        return checklistForWave(
          { plan: PLAN_FILE, wave: flags.wave, json, ...(flags.checklistOut ? { out: 'checklist.md' } : {}) },
          streams,
          cwd,
        );
    }
  };
  // A Node warning (process.emitWarning, from a library) would reach the real CLI's stderr.
  const warned = (warning: Error): void => {
    stderr += `(node:${process.pid}) ${warning.name}: ${warning.message}\n`;
  };
  process.on('warning', warned);
  const started = performance.now();
  try {
    const status = await exitStatusOfHandler(handler, { stderr: streams.stderr, debug: false });
    const elapsedMs = performance.now() - started;
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    return { status, stdout, stderr, elapsedMs };
  } finally {
    process.off('warning', warned);
  }
}
