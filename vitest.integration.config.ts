import { defineConfig } from 'vitest/config';

/**
 * Integration tests: real mariadbd, sshd and HAProxy on the local fleet (scripts/fleet).
 * One fleet is brought up for the whole run by the global setup; files run one at a time
 * because they share it.
 */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
