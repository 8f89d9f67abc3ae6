import { describe, inject, it } from 'vitest';
import type { AvailableEnvironment } from './docker-environment.js';

/**
 * A describe block that needs the Docker engine of the global setup. Without one, it holds a
 * single skipped test whose name says why, so a skip is never silent in any reporter.
 */
export function describeWithDocker(title: string, body: (environment: AvailableEnvironment) => void): void {
  const environment = inject('containers');
  if (!environment.available) {
    describe(title, () => {
      it.skip(`needs a Docker engine, and none could be started: ${environment.reason}`, () => {});
    });
    return;
  }
  // testcontainers and the docker CLI the campaign's commands run both read it from here.
  process.env.DOCKER_HOST = environment.dockerHost;
  describe(title, () => body(environment));
}
