import { BlockList, isIP } from 'node:net';

/**
 * Decides a request's client address for the pre-authentication limit. The peer's address,
 * unless the peer is a trusted proxy (`TRUSTED_PROXIES`): then `X-Forwarded-For` is read from
 * the right, each hop added by a trusted proxy being skipped, and the first address not trusted
 * is the client. A client cannot choose its address by sending the header itself: only entries
 * appended by trusted proxies are believed.
 */
export class ClientAddresses {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  /** `proxies`: addresses and CIDR ranges, IPv4 or IPv6 (see `parseTrustedProxies`). */
  constructor(proxies: readonly string[] = []) {
    for (const entry of proxies) {
      const [address, bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.trusted.addAddress(address, family);
      else this.trusted.addSubnet(address, Number(bits), family);
    }
    this.any = proxies.length > 0;
  }

  clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let address = normalise(peer ?? '') ?? 'unknown';
    if (!this.any || forwardedFor === undefined) return address;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop !== '');
    while (this.isTrusted(address) && hops.length > 0) {
      const hop = normalise(hops.pop()!);
      if (!hop) break; // garbage from a trusted proxy: the proxy itself is the client we know
      address = hop;
    }
    return address;
  }

  private isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * Reads `TRUSTED_PROXIES`: a comma-separated list of IP addresses and CIDR ranges
 * (`10.0.0.0/8, 192.168.1.7, fd00::/8`). Throws with a readable message for a bad entry.
 */
export function parseTrustedProxies(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const badBits = bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > max);
    if (family === 0 || badBits || extra !== undefined) {
      throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`);
    }
  }
  return entries;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; `[::1]:80` and `1.2.3.4:80` lose their port; else undefined. */
function normalise(raw: string): string | undefined {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(address)) address = address.slice(7);
  return isIP(address) ? address.toLowerCase() : undefined;
}
