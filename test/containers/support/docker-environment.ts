import { fileURLToPath } from 'node:url';

/** The repository root, whatever directory vitest was started from. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * What the global setup found: a Docker engine with both MariaDB images, or the reason there is
 * none (printed, and carried into the name of every skipped test).
 */
export type DockerEnvironment =
  | {
      readonly available: true;
      /** `unix://...` of the engine the suite uses. */
      readonly dockerHost: string;
      /** `dbwave-mariadb:<older build>`, the campaign's `from`. */
      readonly fromImage: string;
      /** `dbwave-mariadb:<newer build>`, the campaign's `to`. */
      readonly toImage: string;
    }
  | { readonly available: false; readonly reason: string };

export type AvailableEnvironment = Extract<DockerEnvironment, { available: true }>;

declare module 'vitest' {
  export interface ProvidedContext {
    containers: DockerEnvironment;
  }
}

/** `dbwave-mariadb:10.11.19` -> `10.11.19`: the image tag is the version the server reports. */
export function versionOfImage(image: string): string {
  return image.slice(image.lastIndexOf(':') + 1);
}
