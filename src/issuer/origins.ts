/** Which page origins may ask for tokens; CORS headers for those that may. */

export type OriginPolicy = readonly string[] | ((origin: string, request: Request) => boolean);

export interface OriginCheck {
  /** The request carries no `Origin` (server to server, curl) or comes from the issuer's own origin. */
  kind: 'none' | 'same' | 'allowed' | 'refused';
  origin?: string;
}

/** `https://Example.com:443/` → `https://example.com`; throws on anything that is not an http(s) origin. */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `createTokenIssuer: allowedOrigins entry "${value}" is not an origin such as https://example.com.`,
    );
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.pathname.length > 1 ||
    url.search ||
    url.hash ||
    url.username
  ) {
    throw new TypeError(
      `createTokenIssuer: allowedOrigins entry "${value}" must be a bare origin such as https://example.com.`,
    );
  }
  return url.origin;
}

export function originMatcher(policy: OriginPolicy | undefined): (origin: string, request: Request) => boolean {
  if (policy === undefined) return () => false;
  if (typeof policy === 'function') {
    return (origin, request) => {
      try {
        return policy(origin, request) === true;
      } catch {
        return false;
      }
    };
  }
  if (!Array.isArray(policy))
    throw new TypeError('createTokenIssuer: allowedOrigins must be an array of origins or a function.');
  const allowed = new Set(policy.map(normalizeOrigin));
  return (origin) => allowed.has(origin);
}

/** Host of an Origin header value, or undefined when it is `null` or malformed. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Classifies a request by its `Origin`. Same origin means the Origin's host is the host the request
 * was sent to: a browser cannot forge either, and comparing hosts (not schemes) keeps working
 * behind a proxy that terminates TLS.
 */
export function checkOrigin(request: Request, matches: (origin: string, request: Request) => boolean): OriginCheck {
  const origin = request.headers.get('origin');
  if (origin === null) return { kind: 'none' };
  const host = request.headers.get('host') ?? hostOf(request.url);
  if (origin !== 'null' && host !== undefined && hostOf(origin)?.toLowerCase() === host.toLowerCase())
    return { kind: 'same', origin };
  let normalized = origin;
  try {
    if (origin !== 'null') normalized = new URL(origin).origin;
  } catch {
    return { kind: 'refused', origin };
  }
  return matches(normalized, request) ? { kind: 'allowed', origin } : { kind: 'refused', origin };
}

/** Headers every cross-origin answer to an allowed origin carries. `Date` is exposed for clock-skew correction. */
export function corsHeaders(check: OriginCheck): Record<string, string> {
  if (check.kind !== 'allowed' || !check.origin) return {};
  return {
    'access-control-allow-origin': check.origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'Date, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining',
  };
}

const SAFE_REQUEST_HEADERS = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Answer to a CORS preflight from an allowed origin. */
export function preflightHeaders(check: OriginCheck, request: Request): Record<string, string> {
  const requested = request.headers.get('access-control-request-headers')?.trim();
  return {
    ...corsHeaders(check),
    'access-control-allow-methods': 'POST, OPTIONS',
    // The site's own headers (a CSRF token, Authorization) may travel with the token request.
    'access-control-allow-headers':
      requested && requested.length <= 1024 && SAFE_REQUEST_HEADERS.test(requested) ? requested : 'Content-Type',
    'access-control-max-age': '600',
  };
}
