/**
 * A quick look at a file's first bytes: what it plainly is when that is not a video (a text, an image,
 * an archive, a document), whatever its name says. Video containers (MP4/MOV `ftyp`, WebM/Matroska EBML,
 * AVI `RIFF…AVI `, MPEG-TS `0x47`, MPEG-PS, FLV, ASF/WMV, 3GP) and anything not recognised pass: the
 * video API judges what the browser cannot.
 */

/** Bytes read from the start of the file. */
const HEAD_BYTES = 512;

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  [...text].every((char, i) => bytes[at + i] === char.charCodeAt(0));

const startsWith = (bytes: Uint8Array, signature: number[]): boolean => signature.every((b, i) => bytes[i] === b);

/** Video containers, by their magic numbers. */
export function isVideoContainer(bytes: Uint8Array): boolean {
  return (
    ascii(bytes, 4, 'ftyp') || // MP4, MOV, 3GP, M4V
    ascii(bytes, 4, 'moov') ||
    ascii(bytes, 4, 'mdat') ||
    ascii(bytes, 4, 'wide') || // old QuickTime
    startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3]) || // WebM, Matroska (EBML)
    (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'AVI ')) ||
    (bytes[0] === 0x47 && (bytes.length < 189 || bytes[188] === 0x47)) || // MPEG-TS
    startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) ||
    startsWith(bytes, [0x00, 0x00, 0x01, 0xb3]) || // MPEG-PS, MPEG-1/2
    ascii(bytes, 0, 'FLV') ||
    startsWith(bytes, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]) || // ASF, WMV
    ascii(bytes, 0, 'OggS')
  );
}

/** What the bytes plainly are when they are not a video, or null (a video, or not recognised). */
export function notVideoKind(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'an empty file';
  if (isVideoContainer(bytes)) return null;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'a PNG image';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'a JPEG image';
  if (ascii(bytes, 0, 'GIF8')) return 'a GIF image';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'a WebP image';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return 'a WAV sound';
  if (ascii(bytes, 0, 'BM') && bytes.length > 14 && bytes[14] >= 12 && bytes[15] === 0) return 'a BMP image';
  if (ascii(bytes, 0, '%PDF')) return 'a PDF document';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'a ZIP archive';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'a gzip archive';
  if (ascii(bytes, 0, '7z') && bytes[2] === 0xbc && bytes[3] === 0xaf) return 'a 7z archive';
  if (ascii(bytes, 0, 'Rar!')) return 'a RAR archive';
  if (isText(bytes)) return 'a text file';
  return null;
}

/** Printable ASCII and whitespace only (or a UTF-8 byte order mark): text, whatever the extension. */
function isText(bytes: Uint8Array): boolean {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return true;
  for (const byte of bytes) {
    if (byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    if (byte < 0x20 || byte === 0x7f) return false;
    // UTF-8 letters (é, ü, …) count as text too; lone binary bytes rarely all land there.
  }
  return true;
}

/** Reads the file's first bytes and says what it plainly is if not a video; null when it may be one (or cannot be read). */
export async function sniffNotVideo(file: Blob): Promise<string | null> {
  try {
    return notVideoKind(new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer()));
  } catch {
    return null;
  }
}
