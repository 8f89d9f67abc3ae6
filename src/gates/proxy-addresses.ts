import type { Campaign } from '../model/campaign-schema.js';

/** Where the maintenance proxy's connections come from, and how dbwave knows. */
export interface ProxyAddresses {
  readonly addresses: readonly string[];
  /** Said beside the client list, so a reader can tell a guess from a fact. */
  readonly from: string;
}

/**
 * The proxy's source addresses for one server: the campaign's `clients.proxyAddresses` when
 * given; for an haproxy adapter on `tcp://host:port`, that host; for an haproxy adapter on a
 * local socket, HAProxy runs where dbwave does, so its connections come from dbwave's own
 * address as the server sees it (`ownAddress`); otherwise none is known, and every client is
 * counted as direct.
 */
export function proxyAddressesFor(
  campaign: Pick<Campaign, 'clients' | 'maintenance'>,
  ownAddress: string | undefined,
): ProxyAddresses {
  const configured = campaign.clients.proxyAddresses;
  if (configured !== undefined) return { addresses: configured, from: 'clients.proxyAddresses' };
  const maintenance = campaign.maintenance;
  if (maintenance.adapter !== 'haproxy') {
    return {
      addresses: [],
      from: `none known for adapter ${maintenance.adapter} (set clients.proxyAddresses)`,
    };
  }
  const tcp = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]+)):\d+\/?$/.exec(maintenance.socket);
  const host = tcp?.[1] ?? tcp?.[2];
  if (host !== undefined) return { addresses: [host], from: "the host of HAProxy's tcp:// socket" };
  return ownAddress === undefined
    ? { addresses: [], from: 'none known (set clients.proxyAddresses)' }
    : { addresses: [ownAddress], from: "dbwave's own address (HAProxy's socket is local)" };
}
