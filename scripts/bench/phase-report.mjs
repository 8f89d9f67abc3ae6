// Loaded into a dbwave process by the plan bench (`node --import ./scripts/bench/phase-report.mjs
// dist/cli/main.js ...`): at exit it writes to the file $DBWAVE_PHASE_REPORT the time the process
// spent in each phase dbwave names on the performance timeline (src/core/phase-timing.ts), the
// time before the first phase (loading modules, parsing arguments), the process's whole life,
// its CPU time and its peak resident memory. Plain JavaScript: it runs in the built CLI, without tsx.
import { writeFileSync } from 'node:fs';

const PREFIX = 'dbwave:';
const reportFile = process.env.DBWAVE_PHASE_REPORT;

if (reportFile) {
  process.on('exit', (code) => {
    const phasesMs = {};
    let firstStart = Number.POSITIVE_INFINITY;
    for (const entry of performance.getEntriesByType('measure')) {
      if (!entry.name.startsWith(PREFIX)) continue;
      const phase = entry.name.slice(PREFIX.length);
      phasesMs[phase] = (phasesMs[phase] ?? 0) + entry.duration;
      firstStart = Math.min(firstStart, entry.startTime);
    }
    const report = {
      exitCode: code,
      // performance.now() counts from the process's start, so this includes node's own start.
      totalMs: performance.now(),
      beforeFirstPhaseMs: Number.isFinite(firstStart) ? firstStart : undefined,
      phasesMs,
      maxRssKib: process.resourceUsage().maxRSS,
      // CPU time (user + system): on a busy machine the wall time is mostly waiting for a core.
      cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
    };
    writeFileSync(reportFile, `${JSON.stringify(report)}\n`);
  });
}
