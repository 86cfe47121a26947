// The CDN bundle: one minified ES module with lit inside, and the tus transport (tus-js-client)
// as a chunk loaded only when an element uses protocol="tus". Built from tsc's output in dist/.
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { rmSync } from 'node:fs';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

export default {
  input: 'dist/element/index.js',
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist/cdn',
    format: 'es',
    entryFileNames: 'video-uploader.min.js',
    chunkFileNames: 'video-uploader-[name]-[hash].min.js',
    sourcemap: true,
  },
  plugins: [
    // Chunk names carry hashes: start from an empty folder so old chunks never ship.
    { name: 'clean-cdn', buildStart: () => rmSync('dist/cdn', { recursive: true, force: true }) },
    // Whitespace and comments out of the element's html``, svg`` and css`` templates (lit's own code has none).
    // The closing slashes stay: in an svg`` template `<circle/><path/>` would otherwise nest the path in the circle.
    minifyHTML({
      include: ['dist/element/**'],
      failOnError: true,
      options: { minifyOptions: { keepClosingSlash: true } },
    }),
    nodeResolve({ browser: true, exportConditions: ['production', 'browser', 'module', 'import', 'default'] }),
    commonjs(),
    terser({ ecma: 2020, module: true, format: { comments: false } }),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};
