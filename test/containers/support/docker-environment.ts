import { fileURLToPath } from 'node:url';

/** The repository root, whatever directory vitest was started from. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The package-manager host image and the two Debian builds its local apt repository holds. */
export interface PackageHostImage {
  /** `dbwave-mariadb-host:<older build>`: sshd and the full mariadb-server package at `from`. */
  readonly image: string;
  /** The Debian version installed, e.g. `1:10.11.18-0+deb12u1`. */
  readonly from: string;
  /** The newer Debian version in the image's local apt repository, e.g. `1:10.11.19-0+deb12u1`. */
  readonly to: string;
}

/**
 * What the global setup found: a Docker engine with the images of the suite (scripts/containers/
 * build-images.sh --all), or the reason there is none (printed, and carried into the name of
 * every skipped test).
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
      /** `dbwave-mariadb:<11.8.x>` from trixie: the major upgrade's `to`. */
      readonly majorImage: string;
      /** `dbwave-mysql:<9.x>` from sid: Oracle MySQL as Debian packages it. */
      readonly mysqlImage: string;
      readonly packageHost: PackageHostImage;
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
