// The CDN bundle: one minified ES module with lit inside (the element); the upload engine in a chunk with a
// fixed name, video-uploader-engine.min.js, that the element imports when it connects (pages may modulepreload
// it); the tus transport (tus-js-client) as a chunk loaded only when an element uses protocol="tus"; the
// built-in languages other than English. Built from tsc's output in dist/.
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { rmSync } from 'node:fs';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const ENGINE_FILE = 'video-uploader-engine.min.js';

const slashed = (id) => id.replaceAll('\\', '/');
const ENTRY_ID = '/dist/element/index.js';
const ENGINE_ID = '/dist/element/engine.js';

/** Every module that `from` imports statically, itself included. */
function staticClosure(from, getModuleInfo) {
  const seen = new Set();
  const visit = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const next of getModuleInfo(id)?.importedIds ?? []) visit(next);
  };
  visit(from);
  return seen;
}

/**
 * The engine's chunk holds everything the engine imports statically that the first chunk does not: the upload
 * session too. The recorder's chunk, which also uses the session, imports it from there by the same URL; the
 * element has loaded the engine by then as a rule (it does on connect), and its loader keeps a failed load out of
 * the module map. A chunk of its own for the session would only cost a request and its own gzip window.
 */
let chunkOf = null;
function manualChunks(id, { getModuleInfo, getModuleIds }) {
  if (!chunkOf) {
    const ids = [...getModuleIds()];
    const entry = ids.find((m) => slashed(m).endsWith(ENTRY_ID));
    const engine = ids.find((m) => slashed(m).endsWith(ENGINE_ID));
    if (!entry || !engine) throw new Error('rollup.config.mjs: the element entry or its engine module is missing');
    // The first chunk is named too: a manual chunk would otherwise take in the dependencies it shares with it (lit).
    chunkOf = new Map([...staticClosure(engine, getModuleInfo)].map((m) => [m, 'engine']));
    for (const m of staticClosure(entry, getModuleInfo)) chunkOf.set(m, 'video-uploader');
  }
  return chunkOf.get(id);
}

/** Tells the engine loader the engine chunk's file, which it fetches before importing it (engine-loader.ts). */
const engineFile = {
  name: 'engine-file',
  transform(code, id) {
    if (!slashed(id).endsWith('/dist/element/controllers/engine-loader.js')) return null;
    const marker = "const ENGINE_FILE = '';";
    if (!code.includes(marker)) this.error('engine-loader.js: ENGINE_FILE marker not found');
    return { code: code.replace(marker, `const ENGINE_FILE = './${ENGINE_FILE}';`), map: null };
  },
};

export default {
  input: 'dist/element/index.js',
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist/cdn',
    format: 'es',
    entryFileNames: 'video-uploader.min.js',
    manualChunks,
    chunkFileNames: (chunk) => (chunk.name === 'engine' ? ENGINE_FILE : 'video-uploader-[name]-[hash].min.js'),
    sourcemap: true,
  },
  plugins: [
    // Chunk names carry hashes: start from an empty folder so old chunks never ship.
    { name: 'clean-cdn', buildStart: () => rmSync('dist/cdn', { recursive: true, force: true }) },
    // Whitespace and comments out of the element's html``, svg`` and css`` templates (lit's own code has none).
    // The closing slashes stay: in an svg`` template `<circle/><path/>` would otherwise nest the path in the circle.
    engineFile,
    minifyHTML({
      include: ['dist/element/**'],
      failOnError: true,
      options: { minifyOptions: { keepClosingSlash: true } },
    }),
    nodeResolve({ browser: true, exportConditions: ['production', 'browser', 'module', 'import', 'default'] }),
    commonjs(),
    terser({ ecma: 2020, module: true, compress: { passes: 3 }, format: { comments: false } }),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};
