/** What the element checks on a file before it is uploaded: its type against `accept` (its duration: duration.ts, in the engine's chunk). */

// Browsers leave `File.type` empty for some video containers; these extensions still count as `video/*`.
const videoExtensions = new Set([
  '3gp',
  'avi',
  'flv',
  'm2ts',
  'm4v',
  'mkv',
  'mov',
  'mp4',
  'mpeg',
  'mpg',
  'mts',
  'mxf',
  'ogv',
  'ts',
  'webm',
  'wmv',
]);

/** Whether a file matches an `accept` list the way `<input type=file accept>` reads it. An empty list accepts all. */
export function matchesAccept(file: File, accept: string): boolean {
  const tokens = accept
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  if (tokens.length === 0) return true;
  const type = file.type.toLowerCase();
  const name = file.name.toLowerCase();
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  return tokens.some((token) => {
    if (token.startsWith('.')) return name.endsWith(token);
    if (token.endsWith('/*')) {
      if (type) return type.startsWith(token.slice(0, -1));
      return token === 'video/*' && videoExtensions.has(extension);
    }
    return type === token;
  });
}
