/**
 * Web Test Runner plugin: a gate on the modules that are imported lazily: the element's upload engine
 * (src/element/engine.ts, and the CDN build's video-uploader-engine.min.js), and the engine's words for a failed
 * token request (src/upload/diagnosis.ts). Per browser engine and module, the gate is `open` (served as usual),
 * `hold` (the request waits until the gate opens or fails) or `fail` (503, as a CDN error would). It logs every
 * request for the module, so a test can tell when it was asked for. It also gives the engine loader the engine's
 * file, as the CDN build does for its chunk, and a way to start the loader afresh.
 */

/** @param {string} userAgent */
const engineOfUserAgent = (userAgent) =>
  /Firefox\//.test(userAgent) ? 'firefox' : /Chrome\//.test(userAgent) ? 'chromium' : 'webkit';
/** @param {string} name a launcher's name */
const engineOfLauncher = (name) =>
  /firefox/i.test(name) ? 'firefox' : /minibrowser|webkit|safari/i.test(name) ? 'webkit' : 'chromium';

const ENGINE_PATHS = new Set([
  '/src/element/engine.ts',
  '/src/element/engine.js',
  '/dist/cdn/video-uploader-engine.min.js',
]);
const DIAGNOSIS_PATHS = new Set(['/src/upload/diagnosis.ts', '/src/upload/diagnosis.js']);
/** @param {string} path */
const moduleOfPath = (path) => (ENGINE_PATHS.has(path) ? 'engine' : DIAGNOSIS_PATHS.has(path) ? 'diagnosis' : null);
const DIAGNOSIS_IMPORT = /(?<!typeof )import\((['"])\.\/diagnosis\.[jt]s\1\)/;
const FILE_MARKER = /const ENGINE_FILE = (['"])\1( as string)?;/;
const IMPORT = /return import\((['"])\.\.\/engine\.[jt]s\1\)/;

export function engineGatePlugin() {
  /** `${browser engine}:${module}` → { mode, log, waiters } */
  const lanes = new Map();
  const lane = (engine, module = 'engine') => {
    const key = `${engine}:${module}`;
    if (!lanes.has(key)) lanes.set(key, { mode: 'open', log: [], waiters: [] });
    return lanes.get(key);
  };

  const middleware = async (ctx, next) => {
    const module = moduleOfPath(ctx.path);
    if (!module) return next();
    const state = lane(engineOfUserAgent(ctx.get('user-agent')), module);
    state.log.push({ path: ctx.path, query: ctx.querystring, at: Date.now() });
    if (state.mode === 'hold') await new Promise((resolve) => state.waiters.push(resolve));
    if (state.mode === 'fail') {
      ctx.status = 503;
      // The test runner marks every file it serves cacheable for a year, this failure too: `Vary: *` keeps
      // browsers from answering the next request for the URL with it.
      ctx.set('vary', '*');
      ctx.body = `${module} unavailable`;
      return;
    }
    await next();
    // Each page asks for it anew: a cached copy from an earlier test file would hide the request.
    ctx.set('cache-control', 'no-store');
    ctx.remove('etag');
    ctx.remove('last-modified');
  };

  const commands = {
    /**
     * payload: { module?: 'engine' | 'diagnosis', mode?: 'open' | 'hold' | 'fail', reset?: boolean } → the log of
     * the module's requests so far.
     */
    'engine-gate': ({ payload, engine }) => {
      const state = lane(engine, payload?.module);
      const log = state.log;
      if (payload?.reset) state.log = [];
      if (payload?.mode) {
        state.mode = payload.mode;
        if (payload.mode !== 'hold') for (const release of state.waiters.splice(0)) release();
      }
      return log;
    },
  };

  return {
    name: 'engine-gate',
    middleware,
    transform(context) {
      if (context.path === '/src/upload/token-source.ts') {
        const body = String(context.body);
        if (!DIAGNOSIS_IMPORT.test(body)) throw new Error('token-source.ts: the import of diagnosis.js not found');
        // A page's failed import stays failed for its URL, and a loaded module stays loaded: a test forgets it
        // with `__resetDiagnosis()` and gives it a new URL with `globalThis.__diagnosisGatePage`.
        return {
          body:
            body.replace(DIAGNOSIS_IMPORT, "import('./diagnosis.ts?page=' + (globalThis.__diagnosisGatePage ?? ''))") +
            '\nexport function __resetDiagnosis() { diagnosis = null; }\n',
        };
      }
      if (context.path !== '/src/element/controllers/engine-loader.ts') return undefined;
      const body = String(context.body);
      if (!FILE_MARKER.test(body) || !IMPORT.test(body)) throw new Error('engine-loader.ts: markers not found');
      // The loader gets the engine's file as the CDN build gives it its chunk. Test files share one page (and
      // its module map): a test starts the loader afresh with `__resetEngineLoader()` after setting
      // `globalThis.__engineGatePage`, which gives the engine a new URL.
      const file = "'../engine.ts?page=' + (globalThis.__engineGatePage ?? '')";
      return {
        body:
          body.replace(FILE_MARKER, `let ENGINE_FILE = ${file};`).replace(IMPORT, 'return import(ENGINE_FILE)') +
          `\nexport function __resetEngineLoader() { pending = null; ENGINE_FILE = ${file}; }\n`,
      };
    },
    async executeCommand({ command, payload, session }) {
      if (!Object.hasOwn(commands, command)) return undefined;
      return await commands[command]({ payload, engine: engineOfLauncher(session.browser.name) });
    },
  };
}
