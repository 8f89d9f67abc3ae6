/** Thrown by every fake once the simulated dbwave process has "died". */
export class Crash extends Error {
  constructor() {
    super('dbwave was killed');
  }
}

/** Counts every call into a port; past `crashAfter` calls, every call throws Crash. */
export class CrashSwitch {
  calls = 0;
  crashAfter = Number.POSITIVE_INFINITY;

  tick(): void {
    if (this.calls >= this.crashAfter) throw new Crash();
    this.calls += 1;
  }
}
