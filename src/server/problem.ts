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

const uploadProblem = (slug: string, title: string, detail: string): ProblemError =>
  problems.badRequest(`upload-${slug}`, title, detail);

/** The 400s of `POST /upload`, one per rule of the delegated upload protocol. */
export const uploadProblems = {
  notMultipart: (): ProblemError =>
    uploadProblem('not-multipart', 'The request must be multipart/form-data.', 'Send the file in a multipart/form-data body.'),
  malformedBody: (detail: string): ProblemError => uploadProblem('malformed-body', 'The multipart body is malformed.', detail),
  malformedRange: (): ProblemError =>
    uploadProblem(
      'content-range-invalid',
      'The Content-Range header is malformed.',
      'Use `part N/M`, `part N/*` (the last part as `part N/N`) or `bytes FROM-TO/TOTAL`, with 1 ≤ N ≤ M and FROM ≤ TO < TOTAL.',
    ),
  zeroParts: (): ProblemError =>
    uploadProblem('zero-parts', 'The number of parts must be at least 1.', 'A `part N/M` header needs M ≥ 1.'),
  tooManyParts: (max: number): ProblemError =>
    uploadProblem('too-many-parts', 'The upload has too many parts.', `A video may be sent in at most ${max} parts.`),
  requestTooLarge: (max: number): ProblemError =>
    uploadProblem('request-too-large', 'The request is too large.', `One upload request may carry at most ${max} bytes; send smaller chunks.`),
  partTooSmall: (min: number): ProblemError =>
    uploadProblem('part-too-small', 'The part is too small.', `Every part but the last must hold at least ${min} bytes.`),
  mixedRanges: (): ProblemError =>
    uploadProblem('content-range-mixed', 'The Content-Range forms cannot be mixed.', 'A video is sent either in `part` or in `bytes` ranges, not both.'),
  totalChanged: (): ProblemError =>
    uploadProblem('total-changed', 'The total size of the upload changed.', 'Every chunk of a video must announce the same total.'),
  rangeOverlaps: (): ProblemError =>
    uploadProblem('range-overlaps', 'The range overlaps a range already uploaded.', 'Each byte of the video is sent in one range only.'),
  rangeLength: (): ProblemError =>
    uploadProblem('range-length-mismatch', 'The range length does not match the bytes sent.', 'TO - FROM + 1 must equal the size of the file part.'),
  partAlreadySent: (): ProblemError =>
    uploadProblem('part-already-sent', 'The part was already sent with a different size.', 'A part may be sent again only with the same size.'),
  alreadyUploaded: (): ProblemError =>
    uploadProblem('source-already-uploaded', 'The source of this video was already uploaded.', 'A video source can be uploaded only once.'),
  fileMissing: (): ProblemError =>
    uploadProblem('file-missing', 'The file is missing.', 'Send one file part in the multipart body.'),
  tooManyFiles: (): ProblemError =>
    uploadProblem('too-many-files', 'Only one file may be sent per request.', 'Send exactly one file part in the multipart body.'),
  fileEmpty: (): ProblemError => uploadProblem('file-empty', 'The file is empty.', 'The file part holds no bytes.'),
  videoIdMissing: (): ProblemError =>
    uploadProblem(
      'video-id-missing',
      'The videoId is missing.',
      'Chunks after the first one must carry the videoId that the first chunk returned.',
    ),
} as const;
