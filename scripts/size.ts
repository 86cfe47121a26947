/**
 * `npm run size`, after `npm run build`: min+gzip (-9) sizes of the CDN build, chunk by chunk; the first chunk a
 * page loads (video-uploader.min.js); the total to a first upload (every chunk a page loads for an upload of one
 * file with the default apivideo protocol and English text: the first chunk and the engine chunk it imports on
 * connect, with the chunks it imports); two other uploaders measured the same way in the same run (an esbuild bundle, minified, gzip -9,
 * every chunk a first upload needs); and the Subresource Integrity hashes of the files a first upload loads.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const CDN = 'dist/cdn';
const FIRST = 'video-uploader.min.js';
const ENGINE = 'video-uploader-engine.min.js';
/** The aims: the first chunk under this, and the total to a first upload not above the single bundle it replaced. */
const FIRST_CHUNK_BUDGET = 14_000;
const FIRST_UPLOAD_BUDGET = 21_653;

const gzip = (code: Uint8Array | string): number => gzipSync(code, { level: 9 }).length;

/** A peer, bundled by esbuild, minified; lazily imported chunks count (they load for an upload). */
async function peer(label: string, contents: string): Promise<{ label: string; min: number; gz: number }> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    outdir: 'out',
    write: false,
    target: 'es2021',
    platform: 'browser',
    conditions: ['production'],
    logLevel: 'silent',
  });
  let min = 0;
  let gz = 0;
  for (const file of result.outputFiles) {
    if (!file.path.endsWith('.js')) continue;
    min += file.contents.length;
    gz += gzip(file.contents);
  }
  return { label, min, gz };
}

if (!existsSync(join(CDN, FIRST)) || !existsSync(join(CDN, ENGINE))) {
  console.error(`Run \`npm run build\` first (${CDN}/${FIRST} and ${CDN}/${ENGINE} are missing).`);
  process.exit(1);
}

const chunks = readdirSync(CDN)
  .filter((name) => name.endsWith('.js'))
  .map((name) => {
    const code = readFileSync(join(CDN, name));
    return { name, min: code.length, gz: gzip(code) };
  })
  .sort((a, b) => (a.name === FIRST ? -1 : b.name === FIRST ? 1 : b.gz - a.gz));
const chunk = (name: string): { min: number; gz: number } => chunks.find((c) => c.name === name)!;
const first = chunk(FIRST);

/** The chunks `name` imports or re-exports statically (`import … from "./x"`, `export … from "./x"`), not `import()`. */
function staticImports(name: string): string[] {
  const code = readFileSync(join(CDN, name), 'utf8');
  return [...code.matchAll(/(?:import|export)\s*(?:[\w$*{}\s,]*?from\s*)?["']\.\/([^"']+\.js)["']/g)].map((m) => m[1]!);
}
/** Every chunk an upload loads: the engine chunk and what it imports statically, past the first chunk. */
const engineChunks = new Set<string>();
for (const queue = [ENGINE]; queue.length > 0;) {
  const name = queue.pop()!;
  if (name === FIRST || engineChunks.has(name)) continue;
  engineChunks.add(name);
  queue.push(...staticImports(name));
}
const toFirstUpload = [...engineChunks].reduce(
  (sum, name) => ({ min: sum.min + chunk(name).min, gz: sum.gz + chunk(name).gz }),
  { min: first.min, gz: first.gz },
);

const peers = [
  await peer('@mux/mux-uploader', "import '@mux/mux-uploader';"),
  await peer('@api.video/video-uploader (no UI)', "export * from '@api.video/video-uploader';"),
];

const B = (n: number): string => `${n.toLocaleString('en-US')} B`;
const row = (label: string, min: number, gz: number, note = ''): void =>
  console.log(`${label.padEnd(62)} ${B(min).padStart(10)} ${B(gz).padStart(10)}  ${note}`);

console.log(`${'CDN chunk (dist/cdn)'.padEnd(62)} ${'min'.padStart(10)} ${'min+gzip'.padStart(10)}`);
for (const c of chunks) {
  const note =
    c.name === FIRST
      ? 'first chunk'
      : c.name === ENGINE
        ? 'upload engine, imported on connect'
        : engineChunks.has(c.name)
          ? 'part of the upload engine, imported with it'
          : c.name.includes('tus')
            ? 'only with protocol="tus"'
            : c.name.includes('recorder')
              ? 'only when recording'
              : /-(de|es|fr|ja)-/.test(c.name)
                ? 'a built-in language, loaded when used'
                : c.name.includes('diagnosis')
                  ? 'only when a token request fails (its words)'
                  : 'shared by the chunks that import it';
  row(c.name, c.min, c.gz, note);
}
console.log();
row(
  'first chunk',
  first.min,
  first.gz,
  `budget < ${B(FIRST_CHUNK_BUDGET)}: ${first.gz < FIRST_CHUNK_BUDGET ? 'met' : 'NOT met'}`,
);
row(
  `total to a first upload (first chunk + ${engineChunks.size} engine chunk${engineChunks.size === 1 ? '' : 's'})`,
  toFirstUpload.min,
  toFirstUpload.gz,
  `budget ≤ ${B(FIRST_UPLOAD_BUDGET)}: ${toFirstUpload.gz <= FIRST_UPLOAD_BUDGET ? 'met' : 'NOT met'}`,
);
for (const p of peers) row(p.label, p.min, p.gz, `ours to a first upload: ${(toFirstUpload.gz / p.gz).toFixed(2)}×`);

console.log('\nSubresource Integrity (sha384) of the files a first upload loads:');
for (const name of [FIRST, ...engineChunks]) {
  const digest = createHash('sha384')
    .update(readFileSync(join(CDN, name)))
    .digest('base64');
  console.log(`  ${name.padEnd(40)} sha384-${digest}`);
}
