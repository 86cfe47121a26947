/**
 * The developer's words for what went wrong with the token endpoint (the `message` of the engine's error).
 * They are loaded only when something does go wrong, so an upload that goes well never downloads them.
 * The decision itself (the error's code, whether it is retried, how long to wait) is made in
 * token-source.ts: when this module cannot load (offline, a CDN error), the error keeps its code and gets
 * a shorter message.
 */
import type { TokenGrant } from '../protocol/index.js';
import { readGrant, type GrantProblem, type TokenFailure } from './token-source.js';
import { UploadError } from './upload-error.js';

const seconds = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

/** What a grant of the wrong shape got wrong. */
function grantProblem(problem: GrantProblem, value: unknown): string {
  const record = (value ?? {}) as Record<string, unknown>;
  switch (problem) {
    case 'shape':
      return `${JSON.stringify(value)?.slice(0, 80) ?? String(value)} instead of an object with a "token"`;
    case 'token': {
      const keys = Object.keys(record);
      return `JSON without a "token" string (keys: ${keys.length ? keys.join(', ') : 'none'})`;
    }
    case 'expiresAt':
      return `an "expiresAt" that is not a date: ${JSON.stringify(record.expiresAt)}`;
    case 'apiUrl':
      return `an "apiUrl" that is not an http(s) URL: ${JSON.stringify(record.apiUrl)}`;
    case 'protocol':
      return `an unknown "protocol": ${JSON.stringify(record.protocol)} (expected apivideo or tus)`;
    case 'videoId':
      return 'a "videoId" that is not a string';
  }
}

/** The message of a failed token request. */
export function tokenFailureMessage(failure: TokenFailure): string {
  const { url, status, said, type } = failure;
  const endpoint = `The token endpoint ${url}`;
  const answered = `${endpoint} answered ${status}${failure.statusText ? ` ${failure.statusText}` : ''}: ${said || 'no body'}`;
  switch (failure.code) {
    case 'token-endpoint-missing':
      return `${answered}. Nothing answers token requests there: check token-url (a typo, a missing route, or a route that takes GET instead of POST).`;
    case 'token-endpoint-refused':
      return `${answered}. The token issuer refused this visitor (authorize said no, the visitor is not signed in, or the page's origin is not in allowedOrigins).`;
    case 'token-endpoint-not-json':
      return failure.html
        ? `${endpoint} returned an HTML page (${type || 'no content type'}) instead of a JSON token grant: "${said}". Check that token-url points at the token issuer.`
        : `${endpoint} returned something that is not JSON (${type || 'no content type'}): "${said || 'an empty body'}". It must answer a JSON token grant.`;
    case 'token-endpoint-cors':
      return `${endpoint} answered, but the browser refused to let the page read it (CORS). The issuer must allow the origin ${failure.origin} (allowedOrigins) and answer its preflight (OPTIONS), or serve token-url from the page's own origin.`;
    case 'token-endpoint-unreachable':
      return `${endpoint} could not be reached (${failure.reason}). Check that the token issuer is running and that token-url's host and port are right.`;
    case 'rate-limited': {
      const wait =
        failure.waitMs === undefined
          ? ''
          : ` It asked to wait ${Math.ceil(failure.waitMs / 1000)} s; the upload waits and goes on.`;
      const what = status
        ? `answered ${status} (too many token requests${said ? `: ${said}` : ''})`
        : 'has no tokens left in this window';
      return `${endpoint} ${what}.${wait}`;
    }
    case 'token-invalid':
      return `${failure.from ?? endpoint} returned ${grantProblem(failure.problem!, failure.value)}.`;
    default:
      return failure.timeoutMs !== undefined
        ? `${endpoint} did not answer within ${seconds(failure.timeoutMs)}.`
        : answered;
  }
}

/** Checks the shape of a grant; names what is wrong and what came back. */
export function validateGrant(value: unknown, from: string): TokenGrant {
  const grant = readGrant(value);
  if (typeof grant !== 'string') return grant;
  throw new UploadError(
    'token-invalid',
    tokenFailureMessage({ code: 'token-invalid', url: '', from, problem: grant, value }),
  );
}
