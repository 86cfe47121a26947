import { PROBLEM_TYPE_BASE } from '../protocol/index.js';
import { problem, problems as sharedProblems, ProblemError } from '../protocol/problem.js';

export { ProblemError };
export { problem, problemResponse } from '../protocol/problem.js';

export type Unauthorized = 'missing' | 'malformed' | 'key' | 'token';

const UNAUTHORIZED: Record<Unauthorized, [string, number, string, { detail: string }]> = {
  missing: [
    'authentication-missing-authorization-header',
    401,
    'The "Authorization" header is missing.',
    { detail: 'Send the API key as the user name of HTTP Basic auth, or a bearer access token.' },
  ],
  malformed: [
    'authentication-invalid-authorization-header-value',
    401,
    'The "Authorization" header value is invalid.',
    { detail: 'Use `Basic base64(KEY:)` or `Bearer ACCESS_TOKEN`.' },
  ],
  key: ['authentication-invalid-api-key', 401, 'The API key is invalid.', { detail: 'Check the API key.' }],
  token: [
    'authentication-invalid-access-token',
    401,
    'The access token is invalid or expired.',
    { detail: 'Get a new one from /auth/api-key or /auth/refresh.' },
  ],
};

/** The shared problems, and those of the local video API alone. */
export const problems = {
  ...sharedProblems,
  /** 401 of a management route; `why` picks api.video's type and title. */
  unauthorized: (why: Unauthorized = 'missing'): ProblemError => problem(...UNAUTHORIZED[why]),
  /** `/auth/api-key` with a wrong key, `/auth/refresh` with a bad token: a 400, as the service answers. */
  badCredentials: (): ProblemError =>
    problem('authentication-invalid-user-credentials', 400, 'The user credentials were incorrect.', { name: '' }),
  uploadTokenMissing: (): ProblemError =>
    problem('authentication-missing-upload-token', 401, 'The upload token is missing.', {
      detail: 'Pass a delegated upload token in the `token` query parameter.',
    }),
  uploadTokenInvalid: (): ProblemError =>
    problem('authentication-invalid-upload-token', 401, 'The upload token is invalid or expired.', {
      detail: 'The token is unknown, expired or deleted. Ask the token endpoint for a new one.',
    }),
} as const;

const uploadProblem = (slug: string, title: string, detail: string): ProblemError =>
  problems.badRequest(`upload-${slug}`, title, detail);

/** The 400s of `POST /upload`, one per rule of the delegated upload protocol. */
export const uploadProblems = {
  notMultipart: (): ProblemError =>
    uploadProblem(
      'not-multipart',
      'The request must be multipart/form-data.',
      'Send the file in a multipart/form-data body.',
    ),
  malformedBody: (detail: string): ProblemError =>
    uploadProblem('malformed-body', 'The multipart body is malformed.', detail),
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
    uploadProblem(
      'request-too-large',
      'The request is too large.',
      `One upload request may carry at most ${max} bytes; send smaller chunks.`,
    ),
  partTooSmall: (min: number): ProblemError =>
    uploadProblem(
      'part-too-small',
      'The part is too small.',
      `Every part but the last must hold at least ${min} bytes.`,
    ),
  mixedRanges: (): ProblemError =>
    uploadProblem(
      'content-range-mixed',
      'The Content-Range forms cannot be mixed.',
      'A video is sent either in `part` or in `bytes` ranges, not both.',
    ),
  totalChanged: (): ProblemError =>
    uploadProblem(
      'total-changed',
      'The total size of the upload changed.',
      'Every chunk of a video must announce the same total.',
    ),
  rangeOverlaps: (): ProblemError =>
    uploadProblem(
      'range-overlaps',
      'The range overlaps a range already uploaded.',
      'Each byte of the video is sent in one range only.',
    ),
  rangeLength: (): ProblemError =>
    uploadProblem(
      'range-length-mismatch',
      'The range length does not match the bytes sent.',
      'TO - FROM + 1 must equal the size of the file part.',
    ),
  partAlreadySent: (): ProblemError =>
    uploadProblem(
      'part-already-sent',
      'The part was already sent with a different size.',
      'A part may be sent again only with the same size.',
    ),
  alreadyUploaded: (): ProblemError =>
    uploadProblem(
      'source-already-uploaded',
      'The source of this video was already uploaded.',
      'A video source can be uploaded only once.',
    ),
  fileMissing: (): ProblemError =>
    uploadProblem('file-missing', 'The file is missing.', 'Send one file part in the multipart body.'),
  tooManyFiles: (): ProblemError =>
    uploadProblem(
      'too-many-files',
      'Only one file may be sent per request.',
      'Send exactly one file part in the multipart body.',
    ),
  fileEmpty: (): ProblemError => uploadProblem('file-empty', 'The file is empty.', 'The file part holds no bytes.'),
  videoIdMissing: (): ProblemError =>
    uploadProblem(
      'video-id-missing',
      'The videoId is missing.',
      'Chunks after the first one must carry the videoId that the first chunk returned.',
    ),
} as const;

/** One entry of a `problems[]` list; `slug` names its type. */
export interface ProblemItem {
  slug: string;
  title: string;
  name: string;
  detail?: string;
  range?: { min?: number; max?: number };
}

/**
 * A 400 listing every problem found, as the service answers: the top level repeats the first one,
 * `problems[]` holds them all.
 */
export function problemList(items: ProblemItem[]): ProblemError {
  const list = items.map(({ slug, ...rest }) => ({ type: PROBLEM_TYPE_BASE + slug, ...rest }));
  return new ProblemError({ ...list[0], status: 400, problems: list });
}
