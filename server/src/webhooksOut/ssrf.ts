import dns from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for webhook targets (docs/webhooks-out.md). Only globally
 * routable unicast addresses may receive webhooks: loopback, private (RFC 1918,
 * RFC 4193), link-local (cloud metadata 169.254.169.254), CGNAT, unspecified,
 * multicast, broadcast, reserved and documentation ranges are refused, and so
 * are IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) —
 * unless `allowPrivate` (WEBHOOK_ALLOW_PRIVATE_TARGETS, tests). The check runs
 * at registration AND before every attempt, and the sender connects to the very
 * address checked here, so a DNS answer that changes in between (rebinding)
 * cannot redirect a delivery.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const all = await dns.lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** ipaddr.js's range name of an address, IPv4-mapped IPv6 judged as the IPv4 address it carries. */
export function addressRange(ip: string): string {
  const parsed = ipaddr.parse(ip);
  const plain = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  return plain.range();
}

/** True only for a globally routable unicast address. Accepts every IPv4 spelling (decimal, octal, hex, short). */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  return addressRange(ip) === 'unicast';
}

export type RefusalReason = 'not_allowed' | 'dns' | 'invalid_url';

export class TargetRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'TargetRefused';
  }
}

export interface CheckedTarget {
  url: URL;
  /** Connect here, and nowhere else. */
  address: string;
  family: 4 | 6;
}

export interface TargetGuardOptions {
  allowPrivate: boolean;
  resolve?: Resolver;
}

export class TargetGuard {
  private readonly resolve: Resolver;

  constructor(private readonly opts: TargetGuardOptions) {
    this.resolve = opts.resolve ?? systemResolver;
  }

  /** Resolves the URL's host and checks every address it resolves to; throws TargetRefused. */
  async check(rawUrl: string, timeoutMs = 5_000): Promise<CheckedTarget> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new TargetRefused('invalid_url', 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused('invalid_url', 'only http:// and https:// URLs receive webhooks');
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    let addresses: ResolvedAddress[];
    if (ipaddr.isValid(host)) {
      const parsed = ipaddr.parse(host);
      addresses = [{ address: parsed.toString(), family: parsed.kind() === 'ipv6' ? 6 : 4 }];
    } else {
      addresses = await this.lookup(host, timeoutMs);
    }
    if (!this.opts.allowPrivate) {
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      // One private answer among public ones refuses the host: an attacker controls which one a client picks.
      if (refused) throw new TargetRefused('not_allowed', `${host} resolves to ${refused.address} (${addressRange(refused.address)}), which may not receive webhooks`);
    }
    const first = addresses[0]!;
    return { url, address: first.address, family: first.family };
  }

  private async lookup(host: string, timeoutMs: number): Promise<ResolvedAddress[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        this.resolve(host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TargetRefused('dns', `${host} did not resolve within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (answer.length === 0) throw new TargetRefused('dns', `${host} does not resolve`);
      return answer;
    } catch (err) {
      if (err instanceof TargetRefused) throw err;
      throw new TargetRefused('dns', `${host} does not resolve`);
    } finally {
      clearTimeout(timer);
    }
  }
}
