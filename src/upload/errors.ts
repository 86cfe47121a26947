import type { Problem } from '../protocol/index.js';
import { UploadError } from './upload-error.js';

export { UploadError, type UploadErrorInit } from './upload-error.js';

/** The error every aborted operation rejects with; `cancel()` turns it into a `canceled` error. */
export function canceledError(): UploadError {
  return new UploadError('canceled', 'The upload was canceled.', { retryable: false });
}

/** A short, single-line excerpt of a response body for error messages. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The title/detail of a problem body, or an excerpt of whatever came back. */
export function describeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as Partial<Problem>;
    if (parsed && typeof parsed === 'object' && typeof parsed.title === 'string') {
      return parsed.detail ? `${parsed.title} ${parsed.detail}` : parsed.title;
    }
  } catch {
    // not JSON: fall through to the raw excerpt
  }
  return excerpt(body) || 'no body';
}

/** `error` as an `UploadError`: itself, or a non-retryable `protocol` error that names what was thrown. */
export function asUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const said = error instanceof Error ? error.message : String(error);
  return new UploadError('protocol', `Unexpected failure: ${said}`, { retryable: false, cause: error });
}

/** The `type` of a problem body, or undefined. */
export function problemType(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<Problem> | null;
    return typeof parsed?.type === 'string' ? parsed.type : undefined;
  } catch {
    return undefined;
  }
}

/** Turns a failed HTTP answer of the video API into an `UploadError` with the right code and retry policy. */
export function errorFromResponse(
  status: number,
  body: string,
  retryAfterMs: number | undefined,
  what: string,
): UploadError {
  const said = describeBody(body);
  if (status === 0) return new UploadError('network', `${what} failed: the connection was lost.`);
  if (status === 429) {
    const wait = retryAfterMs === undefined ? '' : ` It asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    return new UploadError('rate-limited', `${what}: the video API is rate limiting (429: ${said}).${wait}`, {
      status,
      retryAfterMs,
    });
  }
  if (status >= 500) {
    return new UploadError('server', `${what}: the video API failed (${status}: ${said}).`, { status, retryAfterMs });
  }
  if (status === 401 || status === 403) {
    return new UploadError('unauthorized', `${what}: the upload token was refused (${status}: ${said}).`, { status });
  }
  if (status === 413) {
    return new UploadError('file-too-large', `${what}: the video API refused the size (413: ${said}).`, { status });
  }
  if (status === 415) {
    return new UploadError('file-type', `${what}: the video API refused the file type (415: ${said}).`, { status });
  }
  if (status === 408) {
    return new UploadError('network', `${what}: the request timed out on the server (408: ${said}).`, { status });
  }
  return new UploadError(
    'protocol',
    `${what}: the video API refused the request (${status}: ${said}). Not retried: sending the same request again would fail the same way.`,
    { status, retryable: false },
  );
}
