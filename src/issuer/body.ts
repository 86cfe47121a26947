import { MAX_TITLE, type FileFacts } from '../protocol/index.js';
import { issuerProblems } from './problems.js';

/** Largest token request body; file facts need a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_FILE_NAME_LENGTH = 1024;
export const MAX_FILE_TYPE_LENGTH = 255;
/** A visitor's description of the video: room for a paragraph or two. */
export const MAX_DESCRIPTION_LENGTH = 2048;

// Control characters have no place in a file name or a media type.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// A description may run over lines; other control characters are refused.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function isJson(contentType: string | null): boolean {
  if (contentType === null) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === '' || type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

async function readBounded(request: Request): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw issuerProblems.payloadTooLarge(MAX_BODY_BYTES);
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw issuerProblems.payloadTooLarge(MAX_BODY_BYTES);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * A text field of the body: a string of at most `max` characters without control characters (`controls`
 * says which). A field the visitor typed (`trim`) is trimmed first, and left out when nothing is left.
 */
function text(
  body: Record<string, unknown>,
  name: keyof FileFacts,
  max: number,
  { trim = false, controls = CONTROL }: { trim?: boolean; controls?: RegExp } = {},
): string | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw issuerProblems.invalidAttribute(name, `${name} must be a string.`);
  const value = trim ? raw.trim() : raw;
  if (value.length > max) throw issuerProblems.invalidAttribute(name, `${name} may hold at most ${max} characters.`);
  if (controls.test(value)) throw issuerProblems.invalidAttribute(name, `${name} must not contain control characters.`);
  return trim && value === '' ? undefined : value;
}

/**
 * The file facts of a token request: `{fileName?, fileSize?, fileType?, title?, description?}` as JSON, or
 * no body at all.
 * Unknown fields are ignored so that newer elements keep working with older issuers.
 */
export async function readFileFacts(request: Request): Promise<FileFacts> {
  const bytes = await readBounded(request);
  if (!bytes || bytes.byteLength === 0) return {};
  if (!isJson(request.headers.get('content-type'))) throw issuerProblems.unsupportedMediaType();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw issuerProblems.invalidPayload('The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw issuerProblems.invalidPayload('The request body must be a JSON object.');
  }
  const body = value as Record<string, unknown>;
  const facts: FileFacts = {};
  const fileName = text(body, 'fileName', MAX_FILE_NAME_LENGTH);
  if (fileName !== undefined) facts.fileName = fileName;
  const fileType = text(body, 'fileType', MAX_FILE_TYPE_LENGTH);
  if (fileType !== undefined) facts.fileType = fileType;
  const title = text(body, 'title', MAX_TITLE, { trim: true });
  if (title !== undefined) facts.title = title;
  const description = text(body, 'description', MAX_DESCRIPTION_LENGTH, { trim: true, controls: CONTROL_BUT_LINES });
  if (description !== undefined) facts.description = description;
  const fileSize = body.fileSize;
  if (fileSize !== undefined && fileSize !== null) {
    if (typeof fileSize !== 'number' || !Number.isSafeInteger(fileSize) || fileSize < 0) {
      throw issuerProblems.invalidAttribute('fileSize', 'fileSize must be a whole number of bytes, 0 or more.');
    }
    facts.fileSize = fileSize;
  }
  return facts;
}
