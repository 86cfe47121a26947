/** The problem class both the issuer and the local video API throw, and its `Response`. */
import { PROBLEM_TYPE_BASE, type InvalidAttribute, type Problem } from './index.js';

/** A refusal or failure answered as a problem body. Thrown anywhere in a handler, answered by its edge. */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(problem: Problem, headers: Record<string, string> = {}) {
    super(problem.title);
    this.name = 'ProblemError';
    this.problem = problem;
    this.headers = headers;
  }
}

/** A problem of type `PROBLEM_TYPE_BASE + slug`. */
export const problem = (
  slug: string,
  status: number,
  title: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): ProblemError => new ProblemError({ type: PROBLEM_TYPE_BASE + slug, title, status, ...extra }, headers);

/** The problems both sides answer with. Details never carry a secret or an upstream body verbatim. */
export const problems = {
  invalidAttribute(name: string, detail: string): ProblemError {
    const invalid: InvalidAttribute = {
      type: PROBLEM_TYPE_BASE + 'invalid-attribute',
      title: 'An attribute is invalid.',
      name,
    };
    return problem('invalid-attribute', 400, 'An attribute is invalid.', { name, detail, problems: [invalid] });
  },
  invalidQuery: (name: string, detail: string): ProblemError =>
    problem('invalid-query-parameter', 400, 'A query parameter is invalid.', { name, detail }),
  invalidPayload: (detail = 'The request body must be a JSON object.'): ProblemError =>
    problem('invalid-payload', 400, 'The payload is invalid.', { detail }),
  badRequest: (slug: string, title: string, detail?: string, name?: string): ProblemError =>
    problem(slug, 400, title, { ...(detail ? { detail } : {}), ...(name ? { name } : {}) }),
  malformedRequest: (): ProblemError => problem('malformed-request', 400, 'The request is not valid HTTP.'),
  notFound: (name: string): ProblemError =>
    problem('resource-not-found', 404, 'The requested resource was not found.', { name }),
  unrecognizedUrl: (): ProblemError => problem('unrecognized-request-url', 404, 'Unrecognized request URL.'),
  /** `allow` lists the methods the route takes, sent as the `Allow` header. */
  methodNotAllowed: (allow?: string, detail?: string): ProblemError =>
    problem(
      'method-not-allowed',
      405,
      'Method is not allowed for this route.',
      detail ? { detail } : {},
      allow ? { allow } : {},
    ),
  payloadTooLarge: (limit: number): ProblemError =>
    problem('payload-too-large', 413, 'The payload is too large.', {
      detail: `A request body may hold at most ${limit} bytes.`,
    }),
  unsupportedMediaType: (detail: string): ProblemError =>
    problem('unsupported-media-type', 415, 'The payload must be JSON.', { detail }),
  /** A range request past the end of a resource of `size` bytes. */
  rangeNotSatisfiable: (size: number): ProblemError =>
    problem(
      'range-not-satisfiable',
      416,
      'The requested range is not satisfiable.',
      {
        detail: `The resource holds ${size} bytes; ask for a range within them.`,
      },
      { 'content-range': `bytes */${size}` },
    ),
  /** `verdict` is what a `FixedWindowLimiter` answered: its headers, and the one that says how long to wait. */
  tooManyRequests: (verdict: { headers: Record<string, string>; retryAfterHeader: string }): ProblemError =>
    problem(
      'too-many-requests',
      429,
      'Too many requests.',
      { detail: `Wait for the time given in ${verdict.retryAfterHeader}.` },
      verdict.headers,
    ),
  internal: (title = 'An unexpected error occurred.'): ProblemError => problem('internal-error', 500, title),
} as const;

/** Serialises a problem; `Content-Type` is `application/problem+json` as the real service sends. */
export function problemResponse(error: ProblemError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(error.problem), {
    status: error.problem.status,
    headers: { 'content-type': 'application/problem+json', ...extraHeaders, ...error.headers },
  });
}
