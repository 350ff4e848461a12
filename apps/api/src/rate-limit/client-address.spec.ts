import { ClientAddresses, parseTrustedProxies } from './client-address';

describe('ClientAddresses', () => {
  const behindProxies = new ClientAddresses(
    parseTrustedProxies('10.0.0.0/8, 192.168.1.7, fd00::/8'),
  );

  it('is the peer without trusted proxies, whatever X-Forwarded-For says', () => {
    const direct = new ClientAddresses([]);
    expect(direct.clientAddress('::ffff:198.51.100.4', '203.0.113.9')).toBe('198.51.100.4');
    expect(behindProxies.clientAddress('198.51.100.4', '203.0.113.9')).toBe('198.51.100.4');
  });

  it('reads X-Forwarded-For from the right, skipping trusted hops only', () => {
    expect(behindProxies.clientAddress('10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    // a spoofed first entry stays unread: the first untrusted hop from the right is the client
    expect(behindProxies.clientAddress('10.1.2.3', '1.1.1.1, 203.0.113.9, 192.168.1.7')).toBe(
      '203.0.113.9',
    );
    expect(behindProxies.clientAddress('fd00::1', ['2001:db8::5', '10.0.0.2'])).toBe('2001:db8::5');
    expect(behindProxies.clientAddress('10.1.2.3', '[2001:db8::6]:443')).toBe('2001:db8::6');
    expect(behindProxies.clientAddress('10.1.2.3', '203.0.113.9:5000')).toBe('203.0.113.9');
  });

  it('stops at garbage, keeping the last address it could trust', () => {
    expect(behindProxies.clientAddress('10.1.2.3', 'not-an-ip')).toBe('10.1.2.3');
    expect(behindProxies.clientAddress('10.1.2.3', '')).toBe('10.1.2.3');
    expect(behindProxies.clientAddress(undefined, undefined)).toBe('unknown');
  });
});

describe('parseTrustedProxies', () => {
  it('accepts addresses and CIDR ranges and refuses anything else with a clear message', () => {
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(parseTrustedProxies(' 127.0.0.1 , ::1,10.0.0.0/8 ')).toEqual([
      '127.0.0.1',
      '::1',
      '10.0.0.0/8',
    ]);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(
      '"10.0.0.0/33" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)',
    );
    expect(() => parseTrustedProxies('proxy.internal')).toThrow(/proxy\.internal/);
  });
});
