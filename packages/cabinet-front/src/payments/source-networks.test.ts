import { describe, expect, it } from 'vitest';
import { notifyNetworksFrom, parseNetworks } from './source-networks.js';

describe('acquiring notification source networks', () => {
  it('matches addresses against IPv4 and IPv6 networks and single hosts', () => {
    const networks = parseNetworks('91.194.226.0/23, 212.233.80.7, 2001:db8:10::/48');
    expect(['91.194.226.1', '91.194.227.254', '212.233.80.7', '::ffff:91.194.227.10', '2001:db8:10::5'].map((ip) => networks.allows(ip))).toEqual([true, true, true, true, true]);
    expect(['91.194.228.1', '212.233.80.8', '2001:db8:11::5', '127.0.0.1', 'not-an-ip', ''].map((ip) => networks.allows(ip))).toEqual([false, false, false, false, false, false]);
  });

  it('refuses a list that is not CIDR, naming the bad item', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'example.com', '10.0.0.0/8/1', '::1/129', ' , ']) expect(() => parseNetworks(bad), bad).toThrow(/ACQUIRING_NOTIFY_NETWORKS/);
  });

  it('is required in production once acquiring is configured; loopback only by default elsewhere', () => {
    expect(() => notifyNetworksFrom({ NODE_ENV: 'production' }, true)).toThrow(/must be set in production/);
    expect(notifyNetworksFrom({ NODE_ENV: 'production' }, false).allows('203.0.113.1')).toBe(false);
    expect(notifyNetworksFrom({ NODE_ENV: 'production', ACQUIRING_NOTIFY_NETWORKS: '203.0.113.0/24' }, true).allows('203.0.113.1')).toBe(true);
    const dev = notifyNetworksFrom({ NODE_ENV: 'development' }, true);
    expect([dev.allows('127.0.0.1'), dev.allows('::1'), dev.allows('192.168.1.2')]).toEqual([true, true, false]);
  });
});
