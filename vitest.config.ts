import { defineConfig } from 'vitest/config';

/** Unit tests: the pure core and the engine against in-memory fakes. No fleet, no network. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
