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

const uploadProblem = (slug: string, title: string, detail: string, name = 'file'): ProblemError =>
  problems.badRequest(slug, title, detail, name);

const PART_RANGE = 'video-content-range-by-part-';
const BYTES_RANGE = 'video-content-range-by-bytes-';

/** The 400s of the chunk ingest (`/upload`, `/videos/{id}/source`), with api.video's types and titles. */
export const uploadProblems = {
  notMultipart: (): ProblemError =>
    uploadProblem(
      'uploaded-file-no-file',
      'There is no uploaded file in the request.',
      'Send the file in a multipart/form-data body.',
    ),
  malformedBody: (detail: string): ProblemError =>
    uploadProblem('uploaded-file-invalid-file', 'The uploaded file is invalid.', detail),
  malformedRange: (): ProblemError =>
    uploadProblem(
      'video-content-range-malformed',
      'The value of the "Content-Range" header is malformed, the expected format is "bytes <from_byte>-<to_byte>/<total_bytes>" or "part <part>/<total_parts>".',
      'Use `part N/M`, `part N/*` (the last part as `part N/N`) or `bytes FROM-TO/TOTAL`, with 1 ≤ N ≤ M and FROM ≤ TO < TOTAL.',
      'Content-Range',
    ),
  zeroParts: (): ProblemError =>
    uploadProblem(
      `${PART_RANGE}total-parts-zero`,
      'The "total_parts" value in the "Content-Range" header must be greater than 0.',
      'A `part N/M` header needs M ≥ 1.',
      'Content-Range',
    ),
  tooManyParts: (max: number): ProblemError =>
    uploadProblem(
      `${PART_RANGE}part-too-high-allowed`,
      'The "part" value in the "Content-Range" header is higher than the maximum number of parts allowed for a video.',
      `A video may be sent in at most ${max} parts.`,
      'Content-Range',
    ),
  partTooHighTotal: (): ProblemError =>
    uploadProblem(
      `${PART_RANGE}part-too-high-total`,
      'The "part" value in the "Content-Range" header is higher than the "total_parts" value.',
      'In `part N/M`, N is at most M.',
      'Content-Range',
    ),
  totalPartsTooLow: (): ProblemError =>
    uploadProblem(
      `${PART_RANGE}total-parts-too-low`,
      'The "total_parts" value in the "Content-Range" header is lower than the number of parts already uploaded.',
      'The last part (`part N/N`) must be numbered after every part already sent.',
      'Content-Range',
    ),
  requestTooLarge: (max: number): ProblemError =>
    uploadProblem(
      'uploaded-file-too-large',
      'The uploaded file is too large.',
      `One upload request may carry at most ${max} bytes; send smaller chunks.`,
    ),
  partTooSmall: (min: number): ProblemError =>
    uploadProblem(
      `${PART_RANGE}uploaded-file-too-small`,
      'The uploaded file is too small.',
      `It must be greater than or equal to ${min} bytes, except if it is the last part.`,
    ),
  mixedRanges: (started: 'part' | 'bytes' = 'part'): ProblemError =>
    uploadProblem(
      `video-content-range-started-with-${started}`,
      `This "Content-Range" upload has been started with "${started}", you cannot continue it with "${started === 'part' ? 'bytes' : 'part'}".`,
      'A video is sent either in `part` or in `bytes` ranges, not both.',
      'Content-Range',
    ),
  totalChanged: (kind: 'part' | 'bytes' = 'part'): ProblemError =>
    kind === 'part'
      ? uploadProblem(
          `${PART_RANGE}different-total-parts`,
          'The "total_parts" value in the "Content-Range" header must be the same than the one you already set for this video.',
          'Every chunk of a video must announce the same total.',
          'Content-Range',
        )
      : uploadProblem(
          `${BYTES_RANGE}different-total-bytes`,
          'The "total_bytes" value in the "Content-Range" header must be the same than the one you already set for this video.',
          'Every chunk of a video must announce the same total.',
          'Content-Range',
        ),
  rangeOverlaps: (): ProblemError =>
    uploadProblem(
      `${BYTES_RANGE}range-overlap`,
      'The range in the "Content-Range" header overlaps with a previous one you already sent for this video.',
      'Each byte of the video is sent in one range only.',
      'Content-Range',
    ),
  rangeLength: (): ProblemError =>
    uploadProblem(
      `${BYTES_RANGE}range-mismatch`,
      'The size of the file you sent is different than the range length you set in the "Content-Range" header.',
      'TO - FROM + 1 must equal the size of the file part.',
    ),
  partAlreadySent: (): ProblemError =>
    uploadProblem(
      `${PART_RANGE}part-already-sent`,
      'The "part" value in the "Content-Range" header collides with a previous one you already sent for this video.',
      'A part may be sent again only with the same size.',
      'Content-Range',
    ),
  alreadyUploaded: (): ProblemError =>
    uploadProblem(
      'video-source-already-uploaded',
      'The source of the video is already uploaded.',
      'A video source can be uploaded only once.',
    ),
  fileMissing: (): ProblemError =>
    uploadProblem(
      'uploaded-file-no-file',
      'There is no uploaded file in the request.',
      'Send one file part in the multipart body.',
    ),
  tooManyFiles: (): ProblemError =>
    uploadProblem(
      'uploaded-file-multiple-files',
      'There is more than one uploaded file in the request.',
      'Send exactly one file part in the multipart body.',
    ),
  fileEmpty: (): ProblemError =>
    uploadProblem('uploaded-file-empty', 'The uploaded file is empty.', 'The file part holds no bytes.'),
  videoIdMissing: (): ProblemError =>
    uploadProblem(
      'attribute-required',
      'This attribute is required.',
      'Chunks after the first one must carry the videoId that the first chunk returned.',
      'videoId',
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
