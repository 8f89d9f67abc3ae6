import { formatDuration } from '../../core/duration.js';
import { DbwaveError, ErrorCode, errorMessage } from '../../core/errors.js';
import { CRASH_HISTORY_MAX_BYTES, crashesInErrorLog } from '../../model/error-log-crashes.js';
import { shutdownLimits } from '../../model/shutdown-limits.js';
import { judgeStopTimeout } from '../../model/systemd-stop-timeout.js';
import { serverVersionIs, versionMatches } from '../../model/version-match.js';
import type { StepDetail } from '../journal/step-detail.js';
import { globalVariable, oldestTransactionSeconds, serverVersionTexts } from './innodb-queries.js';
import type { StepContext, StepHandler, StepResult } from './step-context.js';
import { because } from './transitions.js';

function refuse(context: StepContext, message: string): never {
  throw new DbwaveError(ErrorCode.StepFailed, `${context.server.name}: ${message}`);
}

/** A relative error-log path (`./host.err`, `host.err`) is relative to the datadir. */
export function resolveErrorLog(
  logError: string | undefined,
  dataDir: string | undefined,
): string | undefined {
  const path = logError?.trim();
  if (!path || path === 'stderr') return undefined;
  if (path.startsWith('/')) return path;
  if (!dataDir) return undefined;
  return `${dataDir.replace(/\/+$/, '')}/${path.replace(/^\.\//, '')}`;
}

/**
 * Everything that must hold before a window may open: the shell answers (host key checked), SQL
 * answers, the version is the campaign's `from` (or already `to`: nothing to do), the installed
 * package matches what runs, the error log can be read (it is how a clean shutdown is told from a
 * crash), the datadir has room, no transaction is so old that it would stretch the shutdown, and
 * the window can be opened (every load balancer answers and knows the server). Read-only: a
 * failure here touches nothing.
 */
export const precheckStep: StepHandler<'precheck'> = {
  step: 'precheck',

  async run(context): Promise<StepResult<'precheck'>> {
    const { campaign, server, commands } = context;
    if (!(await commands.isRunning('precheck'))) refuse(context, 'mysqld is not running');
    const sql = await context.sql();
    const { version, comment: versionComment } = await serverVersionTexts(sql);
    // A rolling restart's servers run `to` already: that is where they start from.
    if (campaign.kind === 'upgrade' && serverVersionIs(version, campaign.to.version)) {
      return {
        event: 'skipped',
        next: { outcome: 'AlreadyUpgraded', reason: `already runs ${version}` },
        detail: { version },
      };
    }
    if (!serverVersionIs(version, campaign.from.version)) {
      refuse(
        context,
        `runs ${version}, neither the campaign's from (${campaign.from.version}) nor to (${campaign.to.version})`,
      );
    }
    const installed = await commands.installedVersion('precheck');
    if (!versionMatches(installed, campaign.from.version)) {
      refuse(
        context,
        `the installed version is "${installed}" while ${version} runs; a restart would change it`,
      );
    }

    const dataDir = server.dataDir ?? (await globalVariable(sql, 'datadir'));
    const errorLog = server.errorLog ?? resolveErrorLog(await globalVariable(sql, 'log_error'), dataDir);
    if (!errorLog)
      refuse(context, 'no error log (set errorLog for the server): a clean shutdown could not be confirmed');
    const access = await commands.errorLogAccess('precheck', errorLog);
    if (!access.readable) refuse(context, `cannot read the error log ${errorLog}: ${access.reason}`);
    const crashHistory = await readCrashHistory(context, errorLog);

    let freeMb: number | undefined;
    if (dataDir) {
      const free = await commands.diskFree('precheck', dataDir);
      if (free.availableKb === undefined)
        refuse(context, `cannot read the free space of ${dataDir}: ${free.reason}`);
      freeMb = Math.floor(free.availableKb / 1024);
      if (freeMb < campaign.prechecks.minFreeDiskMb) {
        refuse(
          context,
          `${dataDir} has ${freeMb} MB free, below prechecks.minFreeDiskMb ${campaign.prechecks.minFreeDiskMb}`,
        );
      }
    }

    const stopTimeout = await checkStopTimeout(context);

    const oldestS = await oldestTransactionSeconds(sql);
    if (oldestS * 1000 > campaign.prechecks.maxTransactionAge) {
      refuse(
        context,
        `a transaction has been open ${oldestS}s, longer than prechecks.maxTransactionAge ${Math.round(campaign.prechecks.maxTransactionAge / 1000)}s: it would stretch the shutdown`,
      );
    }
    try {
      await context.window.precheck?.(server);
    } catch (error) {
      refuse(context, `the 503 window could not be opened: ${errorMessage(error)}`);
    }
    return {
      event: 'succeeded',
      // Without `commands.prepare` there is nothing to journal for it.
      next: { step: commands.has('prepare') ? 'prepare' : 'baseline' },
      detail: {
        version,
        versionComment,
        installedVersion: installed,
        errorLog,
        ...(dataDir ? { dataDir } : {}),
        freeMb,
        oldestTransactionS: oldestS,
        ...stopTimeout,
        ...(crashHistory === undefined ? {} : { crashHistory }),
      },
    };
  },

  probe: async () => 'rerun',

  onError: (_context, error) => ({ next: { outcome: 'PrecheckFailed', reason: because('precheck', error) } }),
};

/**
 * The unit's TimeoutStopSec against the shutdown's limits (prechecks.systemdUnit): shorter than
 * the budget refuses the server (systemd would kill an ordinary slow shutdown), shorter than the
 * hard limit is an alert. What was read is journaled.
 */
async function checkStopTimeout(
  context: StepContext,
): Promise<{ systemdStopTimeoutMs?: number | 'infinity'; systemdStopTimeoutWarning?: string }> {
  const unit = context.campaign.prechecks.systemdUnit;
  if (unit === undefined) return {};
  const read = await context.commands.systemdStopTimeout('precheck', unit);
  if (read.timeout === undefined) {
    if (read.noSystemd) return {};
    refuse(context, `cannot read TimeoutStopSec of systemd unit ${unit}: ${read.reason}`);
  }
  const verdict = judgeStopTimeout(unit, read.timeout, shutdownLimits(context.campaign), formatDuration);
  if (verdict.verdict === 'fail') refuse(context, verdict.message);
  if (verdict.verdict === 'warn') {
    await context.alert('other', verdict.message);
    return { systemdStopTimeoutMs: read.timeout, systemdStopTimeoutWarning: verdict.message };
  }
  return { systemdStopTimeoutMs: read.timeout };
}

/**
 * The crashes the error log tells of before the campaign: its last CRASH_HISTORY_MAX_BYTES (a
 * bounded read, outside any window). Undefined when the log cannot be sized or read, which the
 * access check above already refused; a report then shows no history rather than "none".
 */
async function readCrashHistory(
  context: StepContext,
  errorLog: string,
): Promise<StepDetail<'precheck'>['crashHistory']> {
  const size = await context.commands.errorLogSize('precheck', errorLog);
  if (size === undefined) return undefined;
  const from = Math.max(0, size - CRASH_HISTORY_MAX_BYTES);
  const tail = await context.commands.errorLogSince('precheck', errorLog, from, CRASH_HISTORY_MAX_BYTES);
  if (tail === undefined) return undefined;
  const wholeLog = tail.start === 0;
  // Read from the middle of a line: that part line is not a line to count.
  const text = wholeLog ? tail.text : tail.text.slice(tail.text.indexOf('\n') + 1);
  const found = crashesInErrorLog(text);
  return {
    ...(found.firstLineAt === undefined ? {} : { logFrom: found.firstLineAt }),
    crashes: found.crashes,
    bytesRead: Buffer.byteLength(tail.text),
    wholeLog,
  };
}
