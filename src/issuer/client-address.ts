/**
 * The address a token request comes from, for the rate limit. By default it is the connection's
 * address as the adapter saw it, never a header: anyone can send `X-Forwarded-For`. `trustProxy`
 * opts into forwarded headers for an issuer behind proxies the operator runs, and `clientIpHeader`
 * into a platform's own client-IP header.
 */

/** How many proxies stand in front (a hop count), or their addresses and CIDR ranges. */
export type TrustProxy = number | readonly string[];

/** Shorthands accepted in a `trustProxy` list. */
const PRESETS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

interface Range {
  bits: 32 | 128;
  value: bigint;
  prefix: number;
}

/** An address as a number and its width; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) counts as IPv4. */
function parseAddress(text: string): { bits: 32 | 128; value: bigint } | undefined {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) {
    const octets = address.split('.').map(Number);
    if (octets.some((octet) => octet > 255)) return undefined;
    return { bits: 32, value: octets.reduce((sum, octet) => (sum << 8n) + BigInt(octet), 0n) };
  }
  if (!/^[0-9a-f:.]+$/i.test(address) || address.split('::').length > 2) return undefined;
  let tail = address;
  const groups: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const inner = parseAddress(v4[1]);
    if (!inner || inner.bits !== 32) return undefined;
    tail = `${address.slice(0, -v4[1].length)}${(Number(inner.value >> 16n) & 0xffff).toString(16)}:${(Number(inner.value) & 0xffff).toString(16)}`;
  }
  const [head, rest] = tail.split('::') as [string, string | undefined];
  const part = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  const left = part(head);
  const right = rest === undefined ? [] : part(rest);
  const missing = 8 - left.length - right.length;
  if ((rest === undefined && missing !== 0) || (rest !== undefined && missing < 1)) return undefined;
  groups.push(...left, ...Array<number>(rest === undefined ? 0 : missing).fill(0), ...right);
  if (groups.length !== 8 || groups.some(Number.isNaN)) return undefined;
  return { bits: 128, value: groups.reduce((sum, group) => (sum << 16n) + BigInt(group), 0n) };
}

function parseRange(text: string): Range | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const prefix = prefixText === undefined ? parsed.bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  // `::ffff:10.0.0.0/104` is read as the IPv4 range it names.
  const adjusted = parsed.bits === 32 && address.includes(':') && prefix >= 96 ? prefix - 96 : prefix;
  if (!Number.isInteger(adjusted) || adjusted < 0 || adjusted > parsed.bits) return undefined;
  return { ...parsed, prefix: adjusted };
}

function inRange(address: { bits: number; value: bigint }, range: Range): boolean {
  if (address.bits !== range.bits) return false;
  const shift = BigInt(range.bits - range.prefix);
  return address.value >> shift === range.value >> shift;
}

export interface ClientAddressOptions {
  trustProxy?: TrustProxy;
  /** A header the platform in front sets to the client's address (`cf-connecting-ip`, `fly-client-ip`). */
  clientIpHeader?: string;
}

/** Checks the options once, at creation; returns the function that finds a request's client address. */
export function clientAddressResolver(
  options: ClientAddressOptions,
  configError: (message: string) => TypeError,
): (request: Request, socketAddress: string | undefined) => string | undefined {
  const { trustProxy, clientIpHeader } = options;
  if (
    clientIpHeader !== undefined &&
    (typeof clientIpHeader !== 'string' || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(clientIpHeader))
  )
    throw configError('clientIpHeader must be a header name, such as "cf-connecting-ip".');
  let trusted: ((address: string) => boolean) | undefined;
  let hops = 0;
  if (typeof trustProxy === 'number') {
    if (!Number.isInteger(trustProxy) || trustProxy < 0)
      throw configError('trustProxy must be a whole number of proxies (≥ 0) or a list of proxy addresses.');
    hops = trustProxy;
  } else if (Array.isArray(trustProxy)) {
    const ranges: Range[] = [];
    for (const entry of trustProxy as unknown[]) {
      const texts = typeof entry === 'string' ? (PRESETS[entry] ?? [entry]) : [];
      for (const text of texts) {
        const range = parseRange(text);
        if (!range)
          throw configError(
            `trustProxy has "${String(entry)}", which is not an IP address, a CIDR range, or one of loopback, private, linklocal.`,
          );
        ranges.push(range);
      }
    }
    trusted = (address) => {
      const parsed = parseAddress(address);
      return parsed !== undefined && ranges.some((range) => inRange(parsed, range));
    };
  } else if (trustProxy !== undefined) {
    throw configError('trustProxy must be a whole number of proxies (≥ 0) or a list of proxy addresses.');
  }
  const header = clientIpHeader?.toLowerCase();
  return (request, socketAddress) => {
    if (header) {
      const value = request.headers.get(header)?.split(',')[0]?.trim();
      if (value) return value;
    }
    if (trustProxy === undefined || (hops === 0 && !trusted)) return socketAddress;
    const forwarded = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // The chain, nearest last: what each proxy appended, then the peer of this connection.
    const chain = socketAddress === undefined ? forwarded : [...forwarded, socketAddress];
    if (chain.length === 0) return undefined;
    if (!trusted) return chain[Math.max(0, chain.length - 1 - hops)];
    let index = chain.length - 1;
    while (index > 0 && trusted(chain[index])) index--;
    return chain[index];
  };
}
