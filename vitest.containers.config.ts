import { defineConfig } from 'vitest/config';

/**
 * Container tests: real MariaDB upgrades in Docker containers (test/containers), driven through
 * testcontainers-node on images built from Debian's packages. The global setup starts a Docker
 * engine when none answers and builds the images when missing (scripts/containers); where that
 * is impossible (no root, no apt) every test is skipped with the reason printed.
 * Files run one at a time: each runs real mariadbd containers on a 2-core machine.
 */
export default defineConfig({
  test: {
    include: ['test/containers/**/*.test.ts'],
    globalSetup: ['test/containers/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // The images are local and never pulled; Ryuk (the reaper) would be pulled from a registry.
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
  },
});
