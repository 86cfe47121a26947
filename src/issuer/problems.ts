import { problem, problems, type ProblemError } from '../protocol/problem.js';

/** Every problem the issuer answers with. Details never carry the API key or upstream bodies verbatim. */
export const issuerProblems = {
  invalidPayload: problems.invalidPayload,
  invalidAttribute: problems.invalidAttribute,
  payloadTooLarge: problems.payloadTooLarge,
  tooManyRequests: problems.tooManyRequests,
  originNotAllowed: (): ProblemError =>
    problem('origin-not-allowed', 403, 'The origin is not allowed.', {
      detail: 'This token endpoint does not issue upload tokens to pages of this origin.',
    }),
  notAuthorized: (): ProblemError =>
    problem('upload-not-authorized', 403, 'The upload is not authorized.', {
      detail: 'The site refused to issue an upload token for this request.',
    }),
  methodNotAllowed: (): ProblemError =>
    problems.methodNotAllowed('POST, OPTIONS', 'Ask for an upload token with POST.'),
  unsupportedMediaType: (): ProblemError =>
    problems.unsupportedMediaType('Send the file facts as application/json, or send no body.'),
  authorizeMisconfigured: (detail: string): ProblemError =>
    problem('issuer-misconfigured', 500, 'The issuer is misconfigured.', { detail }),
  internal: (): ProblemError => problems.internal('The issuer failed unexpectedly.'),
  hookFailed: (hook: 'authorize' | 'createVideo'): ProblemError =>
    problem('issuer-hook-failed', 500, 'The issuer failed unexpectedly.', {
      detail: `The site's ${hook} hook threw; the server's log has the error.`,
    }),
  keyRefused: (status: number): ProblemError =>
    problem('issuer-misconfigured', 502, 'The issuer is misconfigured.', {
      detail: `The video API refused the issuer's API key (HTTP ${status}). Check the key and the API URL it belongs to.`,
    }),
  upstreamUnreachable: (): ProblemError =>
    problem('upstream-unreachable', 502, 'The video API is unreachable.', {
      detail: 'The issuer could not connect to the video API. Try again shortly.',
    }),
  upstreamFailed: (detail: string): ProblemError => problem('upstream-error', 502, 'The video API failed.', { detail }),
  upstreamBusy: (retryAfter: string): ProblemError =>
    problem(
      'upstream-busy',
      503,
      'The video API is rate limiting the issuer.',
      {
        detail: 'Wait for the time given in Retry-After.',
      },
      { 'retry-after': retryAfter },
    ),
  rateLimitUnavailable: (): ProblemError =>
    problem(
      'rate-limit-unavailable',
      503,
      'The issuer cannot check its rate limit.',
      { detail: 'The store that counts token requests did not answer. Try again shortly.' },
      { 'retry-after': '5' },
    ),
  upstreamTimeout: (ms: number): ProblemError =>
    problem('upstream-timeout', 504, 'The video API did not answer in time.', {
      detail: `No answer within ${ms} ms. Try again shortly.`,
    }),
} as const;
