import type { TemplateCampaign } from '../../../src/model/command-template.js';
import type { ResolvedServer } from '../../../src/model/resolved-server.js';

/** Shared test data for adapter unit tests. */

export const campaign: TemplateCampaign = {
  campaign: 'unit-campaign',
  from: { version: '10.11.18' },
  to: { version: '10.11.19', package: 'mariadb-server-core=1:10.11.19-0+deb12u1' },
};

export function serverNamed(name: string, overrides: Partial<ResolvedServer> = {}): ResolvedServer {
  return {
    name,
    class: 'unit-class',
    host: '127.0.0.1',
    port: 3306,
    sshPort: 22,
    transport: 'local',
    datacenter: 'local',
    vars: {},
    ...overrides,
  };
}
