import { defineConfig } from 'vitest/config';

/**
 * Unit tests: the pure core and the engine against in-memory fakes, and the input fuzz suite at its
 * CI budget (test/fuzz, docs/planner.md). No fleet, no network.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
