import { BlockList, isIP } from 'node:net';

/**
 * Where the bank's notifications may come from: a list of networks in CIDR form (`ACQUIRING_NOTIFY_NETWORKS`,
 * comma-separated, IPv4 or IPv6, a bare address meaning that host). A notification from anywhere else is
 * answered 403 before it is read, and changes nothing; the Token signature is checked as well for those that
 * pass. T-Bank's published source ranges for acquiring notifications could not be confirmed from its
 * documentation here, so there is no built-in list: production refuses to start with acquiring configured
 * and no networks; outside production the default is the loopback networks (the emulator).
 */
export const DEVELOPMENT_NOTIFY_NETWORKS = '127.0.0.0/8,::1/128';

export interface SourceNetworks {
  readonly spec: string;
  allows(ip: string): boolean;
}

export function parseNetworks(spec: string): SourceNetworks {
  const list = new BlockList();
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error('ACQUIRING_NOTIFY_NETWORKS names no network');
  for (const item of items) {
    const [address, bits, extra] = item.split('/');
    const family = isIP(address ?? '');
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32) || (bits !== undefined && !/^[0-9]{1,3}$/.test(bits))) {
      throw new Error(`ACQUIRING_NOTIFY_NETWORKS: "${item}" is not an address or a network in CIDR form`);
    }
    list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    spec: items.join(','),
    allows(ip: string) {
      // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
      const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** The networks to accept notifications from, or an error when production has acquiring and no list. */
export function notifyNetworksFrom(settings: { ACQUIRING_NOTIFY_NETWORKS?: string; NODE_ENV?: string }, acquiringConfigured: boolean): SourceNetworks {
  const spec = settings.ACQUIRING_NOTIFY_NETWORKS?.trim();
  if (spec) return parseNetworks(spec);
  if (settings.NODE_ENV === 'production' && acquiringConfigured) {
    throw new Error('ACQUIRING_NOTIFY_NETWORKS must be set in production: the networks the bank sends payment notifications from (CIDR list, from the bank)');
  }
  return parseNetworks(DEVELOPMENT_NOTIFY_NETWORKS);
}
