import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { browsersFor } from './test/support/wtr-browsers.mjs';
import { commonjsShim } from './test/support/wtr-commonjs-shim.mjs';
import { engineGatePlugin } from './test/support/wtr-engine-gate.mjs';
import { videoApiPlugin } from './test/support/wtr-video-api.mjs';

/**
 * Browser tests: every *.test.ts under a `browser/` folder, in Chromium, Firefox ESR and WebKitGTK
 * (`BROWSERS=firefox` or `BROWSERS=chromium,webkit` for some of them), against the real local video API.
 */
const videoApi = videoApiPlugin();
const engineGate = engineGatePlugin();

export default {
  // The 200 MiB upload runs on its own (`npm run test:large`, after `npm test` in .ci/run): its memory and disk stay out of the main run.
  files: ['test/**/browser/**/*.test.ts', '!test/upload/browser/large-upload.test.ts'],
  // Browser builds of dependencies (tus-js-client has a Node and a browser entry).
  nodeResolve: { browser: true },
  // One test file at a time in each engine, two engines at a time: a 2-core machine also runs the local API,
  // the fault proxy and the engines' helper processes, and timing tests (stall-timeout="1") need headroom.
  concurrency: 1,
  concurrentBrowsers: 2,
  testFramework: { config: { timeout: 60000 } },
  // Generous start-up limits: Firefox alone takes 20 s to start on a busy 2-core machine.
  browserStartTimeout: 2 * 60 * 1000,
  testsStartTimeout: 2 * 60 * 1000,
  testsFinishTimeout: 10 * 60 * 1000,
  middleware: [(ctx, next) => videoApi.tokenMiddleware(ctx, next), engineGate.middleware],
  plugins: [
    videoApi,
    engineGate,
    commonjsShim(),
    esbuildPlugin({ ts: true, target: 'es2021', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: browsersFor(process.env.BROWSERS),
};
