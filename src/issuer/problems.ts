import { PROBLEM_TYPE_BASE, type InvalidAttribute, type Problem } from '../protocol/index.js';

/** A refusal or failure of the issuer, answered as a problem body. */
export class IssuerProblem extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(problem: Problem, headers: Record<string, string> = {}) {
    super(problem.title);
    this.name = 'IssuerProblem';
    this.problem = problem;
    this.headers = headers;
  }
}

const make = (slug: string, status: number, title: string, extra: Partial<Problem> = {}, headers: Record<string, string> = {}): IssuerProblem =>
  new IssuerProblem({ type: PROBLEM_TYPE_BASE + slug, title, status, ...extra }, headers);

/** Every problem the issuer answers with. Details never carry the API key or upstream bodies verbatim. */
export const issuerProblems = {
  invalidPayload: (detail: string) => make('invalid-payload', 400, 'The payload is invalid.', { detail }),
  invalidAttribute(name: string, detail: string): IssuerProblem {
    const problem: InvalidAttribute = { type: PROBLEM_TYPE_BASE + 'invalid-attribute', title: 'An attribute is invalid.', name };
    return make('invalid-attribute', 400, 'An attribute is invalid.', { name, detail, problems: [problem] });
  },
  originNotAllowed: () =>
    make('origin-not-allowed', 403, 'The origin is not allowed.', {
      detail: 'This token endpoint does not issue upload tokens to pages of this origin.',
    }),
  notAuthorized: () =>
    make('upload-not-authorized', 403, 'The upload is not authorized.', {
      detail: 'The site refused to issue an upload token for this request.',
    }),
  methodNotAllowed: () =>
    make('method-not-allowed', 405, 'Method is not allowed for this route.', {
      detail: 'Ask for an upload token with POST.',
    }, { allow: 'POST, OPTIONS' }),
  payloadTooLarge: (limit: number) =>
    make('payload-too-large', 413, 'The payload is too large.', { detail: `A request body may hold at most ${limit} bytes.` }),
  unsupportedMediaType: () =>
    make('unsupported-media-type', 415, 'The payload must be JSON.', {
      detail: 'Send the file facts as application/json, or send no body.',
    }),
  tooManyRequests: (headers: Record<string, string>) =>
    make('too-many-requests', 429, 'Too many requests.', { detail: 'Wait for the time given in Retry-After.' }, headers),
  authorizeMisconfigured: (detail: string) => make('issuer-misconfigured', 500, 'The issuer is misconfigured.', { detail }),
  internal: () => make('internal-error', 500, 'The issuer failed unexpectedly.'),
  keyRefused: (status: number) =>
    make('issuer-misconfigured', 502, 'The issuer is misconfigured.', {
      detail: `The video API refused the issuer's API key (HTTP ${status}). Check the key and the API URL it belongs to.`,
    }),
  upstreamUnreachable: () =>
    make('upstream-unreachable', 502, 'The video API is unreachable.', {
      detail: 'The issuer could not connect to the video API. Try again shortly.',
    }),
  upstreamFailed: (detail: string) => make('upstream-error', 502, 'The video API failed.', { detail }),
  upstreamBusy: (retryAfter: string) =>
    make('upstream-busy', 503, 'The video API is rate limiting the issuer.', {
      detail: 'Wait for the time given in Retry-After.',
    }, { 'retry-after': retryAfter }),
  upstreamTimeout: (ms: number) =>
    make('upstream-timeout', 504, 'The video API did not answer in time.', {
      detail: `No answer within ${ms} ms. Try again shortly.`,
    }),
} as const;
