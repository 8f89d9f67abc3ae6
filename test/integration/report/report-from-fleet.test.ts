import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../../scripts/fleet/faults.js';
import { FleetPaths } from '../../../scripts/fleet/fleet-paths.js';
import { engineCampaign, resetFleet, runWave1, startDbwave } from '../engine/engine-fleet.js';
import { loadFleet } from '../fleet/fleet-fixture.js';

/**
 * Reports from real journals: a wave run by the real `dbwave run` on the local fleet, then read
 * by the real `dbwave report` and `dbwave status`, as on-call would the morning after.
 */

interface ReportServer {
  readonly name: string;
  readonly outcome: string;
  readonly currentStep?: { readonly step: string };
  readonly window?: { readonly durationMs?: number; readonly overTarget: boolean };
  readonly shutdown?: { readonly durationMs?: number; readonly overBudget: boolean };
  readonly versions: { readonly before?: string; readonly after?: string };
  readonly steps: readonly { readonly step: string; readonly status: string }[];
  readonly rollback?: { readonly reason: string; readonly path: string };
}

async function jsonReport(
  planFile: string,
): Promise<{ status: string; servers: ReportServer[]; summary: Record<string, number> }> {
  const result = await startDbwave(['report', planFile, '--wave', '1', '--json']).done;
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('reports from real journals of fleet runs', () => {
  const fleet = loadFleet();
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'dbwave-report-fleet-'));
    await resetFleet(fleet);
  });
  afterAll(async () => {
    await resetFleet(fleet);
    await rm(work, { recursive: true, force: true });
  });

  it('report a healthy wave: every server upgraded, its window and shutdown measured, versions before and after', async () => {
    const campaign = await engineCampaign('report-healthy');
    await resetFleet(fleet);
    const run = await runWave1(campaign);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const report = await jsonReport(campaign.planFile);
    expect(report.status).toBe('finished');
    const ran = report.servers.filter((server) =>
      campaign.wave1.some((target) => target.name === server.name),
    );
    expect(ran).toHaveLength(campaign.wave1.length);
    for (const server of ran) {
      expect(server.outcome).toBe('Upgraded');
      expect(server.window?.durationMs).toBeGreaterThan(0);
      expect(server.window?.overTarget).toBe(false);
      expect(server.shutdown?.durationMs).toBeGreaterThan(0);
      expect(server.versions.before).toContain(fleet.versions.from);
      expect(server.versions.after).toContain(fleet.versions.to);
      expect(server.steps.map((step) => step.step)).toEqual(
        expect.arrayContaining([
          'precheck',
          'window-open',
          'shutdown',
          'upgrade',
          'start',
          'verify',
          'window-close',
        ]),
      );
    }

    const html = join(work, 'healthy.html');
    const written = await startDbwave([
      'report',
      campaign.planFile,
      '--wave',
      '1',
      '--format',
      'html',
      '--out',
      html,
    ]).done;
    expect(written.code, written.stderr).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('503 window per server');
    for (const target of campaign.wave1) expect(page).toContain(`id="server-${target.name}"`);
    const markdown = await startDbwave(['report', campaign.planFile, '--wave', '1']).done;
    expect(markdown.stdout).toContain('wave 1 — finished');
  });

  it('report a wave with a rollback: the server that would not start, why, and its version back', async () => {
    const campaign = await engineCampaign('report-rollback');
    await resetFleet(fleet);
    const victim = campaign.wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    await injectFault(new FleetPaths(fleet.root), victim.name, 'start-fails-on-new');
    const run = await runWave1(campaign);
    expect(run.code).toBe(1);

    const report = await jsonReport(campaign.planFile);
    const rolledBack = report.servers.find((server) => server.name === victim.name);
    expect(rolledBack?.outcome).toBe('RolledBack');
    expect(rolledBack?.rollback?.path).toBe('in-window');
    expect(rolledBack?.rollback?.reason).toMatch(/start|verify/);
    expect(rolledBack?.versions.after).toContain(fleet.versions.from);
    expect(rolledBack?.window?.durationMs).toBeGreaterThan(0);
    expect(report.summary.rolledBack).toBe(1);
  });

  it('report a wave killed mid-way: the server in flight, its open window, and the dead run holding the lock', async () => {
    // A clean shutdown takes a fraction of a second here: a long transaction to roll back keeps
    // one server in its shutdown long enough to be killed there.
    const campaign = await engineCampaign('report-killed', { prechecks: { maxTransactionAge: '1h' } });
    await resetFleet(fleet);
    const victim = campaign.wave1[0];
    if (!victim) throw new Error('wave 1 is empty');
    await injectFault(new FleetPaths(fleet.root), victim.name, 'long-transaction');
    const running = startDbwave(['run', campaign.planFile, '--wave', '1', '--yes', '--ignore-date']);
    await running.waitForLine(new RegExp(`\\b${victim.name}\\s+shutdown started`));
    running.child.kill('SIGKILL');
    await running.done;

    const report = await jsonReport(campaign.planFile);
    expect(report.status).toBe('in-progress');
    const inFlight = report.servers.filter((server) => server.outcome === 'InProgress');
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.some((server) => server.currentStep?.step === 'shutdown')).toBe(true);

    const status = await startDbwave(['status', campaign.planFile, '--json']).done;
    expect(status.code, status.stderr).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(json.lock.state).toBe('dead');
    expect(json.update).toContain('in flight');

    // Resume so that the fleet is left whole; the report then says finished.
    const again = await runWave1(campaign);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect((await jsonReport(campaign.planFile)).status).toBe('finished');
  });
});
