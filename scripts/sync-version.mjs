// Writes src/protocol/version.ts from package.json, so that the version the element announces
// (AV-Origin-Client) never drifts from the package's. Run by `npm run build` and `npm version`.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const { name, version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const target = new URL('src/protocol/version.ts', root);
const text = `// Generated from package.json by scripts/sync-version.mjs; do not edit.
export const PACKAGE_VERSION = '${version}';
/** The \`AV-Origin-Client\` header value the element sends. */
export const ORIGIN_CLIENT = '${name}:${version}';
`;
let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {
  // First run: the file does not exist yet.
}
if (current !== text) writeFileSync(target, text);
