import { PROBLEM_TYPE_BASE, type InvalidAttribute, type Problem } from '../protocol/index.js';

/** An error that becomes a problem body. Thrown anywhere in a route, answered by the app. */
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

const make = (slug: string, status: number, title: string, extra: Partial<Problem> = {}): ProblemError =>
  new ProblemError({ type: PROBLEM_TYPE_BASE + slug, title, status, ...extra });

export const problems = {
  invalidAttribute(name: string, detail: string): ProblemError {
    const problem: InvalidAttribute = {
      type: PROBLEM_TYPE_BASE + 'invalid-attribute',
      title: 'An attribute is invalid.',
      name,
    };
    return make('invalid-attribute', 400, 'An attribute is invalid.', { name, detail, problems: [problem] });
  },
  invalidQuery(name: string, detail: string): ProblemError {
    return make('invalid-query-parameter', 400, 'A query parameter is invalid.', { name, detail });
  },
  invalidPayload(detail = 'The request body must be a JSON object.'): ProblemError {
    return make('invalid-payload', 400, 'The payload is invalid.', { detail });
  },
  badRequest(slug: string, title: string, detail?: string, name?: string): ProblemError {
    return make(slug, 400, title, { ...(detail ? { detail } : {}), ...(name ? { name } : {}) });
  },
  unauthorized(detail = 'Send the API key as the user name of HTTP Basic auth, or a bearer access token.'): ProblemError {
    return make('authentication-failed', 401, 'Unauthorized request.', { detail });
  },
  uploadTokenMissing(): ProblemError {
    return make('upload-token-missing', 401, 'The upload token is missing.', {
      detail: 'Pass a delegated upload token in the `token` query parameter.',
    });
  },
  uploadTokenInvalid(): ProblemError {
    return make('upload-token-invalid', 401, 'The upload token is invalid or expired.', {
      detail: 'The token is unknown, expired or deleted. Ask the token endpoint for a new one.',
    });
  },
  notFound(name: string): ProblemError {
    return make('resource-not-found', 404, 'The requested resource was not found.', { name });
  },
  unrecognizedUrl(): ProblemError {
    return make('unrecognized-request-url', 404, 'Unrecognized request URL.');
  },
  methodNotAllowed(): ProblemError {
    return make('method-not-allowed', 405, 'Method is not allowed for this route.');
  },
  payloadTooLarge(limit: number): ProblemError {
    return make('payload-too-large', 413, 'The payload is too large.', {
      detail: `A request body may hold at most ${limit} bytes.`,
    });
  },
  tooManyRequests(headers: Record<string, string>): ProblemError {
    return withHeaders(make('too-many-requests', 429, 'Too many requests.', { detail: 'Wait for the time given in X-RateLimit-Retry-After.' }), headers);
  },
} as const;

function withHeaders(error: ProblemError, headers: Record<string, string>): ProblemError {
  return new ProblemError(error.problem, headers);
}

/** Serialises a problem; `Content-Type` is `application/problem+json` as the real service sends. */
export function problemResponse(error: ProblemError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(error.problem), {
    status: error.problem.status,
    headers: { 'content-type': 'application/problem+json', ...extraHeaders, ...error.headers },
  });
}
