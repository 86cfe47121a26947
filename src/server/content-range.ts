import { MAX_PARTS } from '../protocol/index.js';

/**
 * The `Content-Range` of one `/upload` chunk. No header at all is a whole file in one request,
 * which the ingest treats as `part 1/1`.
 */
export type ChunkRange =
  | { kind: 'part'; part: number; /** null for `part N/*`. */ total: number | null }
  | { kind: 'bytes'; from: number; to: number; total: number };

/** Why a header was refused; `upload.ts` turns it into a problem body. */
export type RangeError = 'malformed' | 'zero-parts' | 'too-many-parts' | 'part-too-high-total';

const PART = /^part\s+([0-9]{1,10})\s*\/\s*([0-9]{1,10}|\*)$/i;
const BYTES = /^bytes\s+([0-9]{1,16})\s*-\s*([0-9]{1,16})\s*\/\s*([0-9]{1,16})$/i;

export function parseContentRange(header: string | undefined): ChunkRange | RangeError {
  if (header === undefined) return { kind: 'part', part: 1, total: 1 };
  const value = header.trim();
  const part = PART.exec(value);
  if (part) {
    const number = Number(part[1]);
    const total = part[2] === '*' ? null : Number(part[2]);
    if (total === 0) return 'zero-parts';
    if (number === 0) return 'malformed';
    if (number > MAX_PARTS || (total !== null && total > MAX_PARTS)) return 'too-many-parts';
    if (total !== null && number > total) return 'part-too-high-total';
    return { kind: 'part', part: number, total };
  }
  const bytes = BYTES.exec(value);
  if (bytes) {
    const from = Number(bytes[1]);
    const to = Number(bytes[2]);
    const total = Number(bytes[3]);
    if (!Number.isSafeInteger(total) || from > to || to >= total) return 'malformed';
    return { kind: 'bytes', from, to, total };
  }
  return 'malformed';
}
