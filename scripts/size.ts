/**
 * `npm run size`: min+gzip (-9) size of the CDN bundle's default path (the element, the apivideo
 * transport and lit; the tus chunk loads only with protocol="tus"), next to two other uploaders
 * measured the same way: an esbuild bundle, minified, gzip level 9.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const gzip = (code: Uint8Array | string): number => gzipSync(code, { level: 9 }).length;

async function measure(label: string, contents: string): Promise<{ label: string; min: number; gz: number }> {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: false,
    write: false,
    target: 'es2021',
    platform: 'browser',
    conditions: ['production'],
    // Lazily loaded chunks are not part of the default path.
    external: ['tus-js-client'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { label, min: code.length, gz: gzip(code) };
}

if (!existsSync('dist/element/index.js') || !existsSync('dist/cdn/video-uploader.min.js')) {
  console.error('Run `npm run build` first.');
  process.exit(1);
}

const cdn = readFileSync('dist/cdn/video-uploader.min.js');
const rows = [
  { label: 'video-uploader CDN bundle (rollup + terser)', min: cdn.length, gz: gzip(cdn) },
  await measure('video-uploader (esbuild, same method as below)', "import './dist/element/index.js';"),
  await measure('@mux/mux-uploader', "import '@mux/mux-uploader';"),
  await measure('@api.video/video-uploader (no UI)', "export * from '@api.video/video-uploader';"),
];
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
console.log('bundle'.padEnd(50), 'min'.padStart(9), 'min+gzip'.padStart(10));
for (const row of rows) console.log(row.label.padEnd(50), kb(row.min).padStart(9), kb(row.gz).padStart(10));
console.log(`\nratio to @mux/mux-uploader: ${(rows[0].gz / rows[2].gz).toFixed(2)}×  (aim: under 14 KB)`);
