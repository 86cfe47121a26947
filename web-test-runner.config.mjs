import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';

/**
 * Browser tests run against the real local video API, started here in a child process.
 * The API key stays in this Node process: browser tests get tokens through server commands.
 */
function videoApiPlugin() {
  let child;
  let api;
  /** The fault-injecting proxy in front of the API, started on first use. */
  let proxy;
  /** What the token endpoint received, for assertions. */
  let tokenCalls = [];
  const basicAuth = () => `Basic ${Buffer.from(`${api.apiKey}:`).toString('base64')}`;
  const mint = async (ttl) => {
    const response = await fetch(`${api.url}/upload-tokens`, {
      method: 'POST',
      headers: { authorization: basicAuth(), 'content-type': 'application/json' },
      body: JSON.stringify({ ttl }),
    });
    return await response.json();
  };
  const ensureProxy = async () => {
    if (!proxy) {
      const { FaultProxy } = await tsImport('./test/support/fault-proxy.ts', import.meta.url);
      proxy = new FaultProxy(api.url);
      await proxy.start();
    }
    return proxy;
  };
  const sha256OfSource = (videoId) =>
    new Promise((resolve) => {
      if (!/^vi[0-9A-Za-z]{22}$/.test(videoId)) return resolve({ error: 'not a video id' });
      const hash = createHash('sha256');
      let size = 0;
      createReadStream(join(api.dataDir, 'videos', videoId, 'source'))
        .on('data', (chunk) => {
          size += chunk.length;
          hash.update(chunk);
        })
        .on('end', () => resolve({ sha256: hash.digest('hex'), size }))
        .on('error', (error) => resolve({ error: error.message }));
    });
  /**
   * A site's token endpoint, same-origin with the test page (as `token-url` expects):
   * POST /__token?ttl=S&mode=ok|html|text|missing|expired|fail&skew=S&via=proxy&protocol=tus.
   * The API key stays here; the browser gets a TokenGrant with `apiUrl`.
   */
  const tokenMiddleware = async (ctx, next) => {
    if (ctx.path !== '/__token') return next();
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    tokenCalls.push({ method: ctx.method, contentType: ctx.get('content-type'), body });
    const q = ctx.query;
    const mode = q.mode ?? 'ok';
    if (mode === 'html') {
      ctx.type = 'text/html';
      ctx.body = '<!doctype html><html><body><h1>Sign in</h1></body></html>';
      return;
    }
    if (mode === 'text') {
      ctx.type = 'text/plain';
      ctx.body = 'token=abc';
      return;
    }
    if (mode === 'fail') {
      ctx.status = 500;
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ error: 'issuer down' });
      return;
    }
    if (mode === 'missing') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ ttl: 60, expiresAt: null });
      return;
    }
    const grant = await mint(Number(q.ttl ?? 600));
    const skewMs = Number(q.skew ?? 0) * 1000;
    if (mode === 'expired') grant.expiresAt = new Date(Date.now() - 120_000).toISOString();
    else if (skewMs && grant.expiresAt) grant.expiresAt = new Date(Date.parse(grant.expiresAt) + skewMs).toISOString();
    grant.apiUrl = q.via === 'proxy' ? (await ensureProxy()).url : api.url;
    if (q.protocol) grant.protocol = q.protocol;
    ctx.set('Date', new Date(Date.now() + skewMs).toUTCString());
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(grant);
  };
  return {
    name: 'video-api',
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', 'test/support/start-api.ts'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout });
      api = await new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`local video API exited with ${code}`)));
        lines.once('line', (line) => resolve(JSON.parse(line)));
      });
    },
    tokenMiddleware,
    async serverStop() {
      await proxy?.close();
      child?.stdin.end();
      child?.kill('SIGTERM');
    },
    async executeCommand({ command, payload }) {
      if (command === 'video-api') return { url: api.url };
      if (command === 'mint-token') return await mint(payload?.ttl ?? 600);
      if (command === 'delete-token') {
        const response = await fetch(`${api.url}/upload-tokens/${encodeURIComponent(payload.token)}`, {
          method: 'DELETE',
          headers: { authorization: basicAuth() },
        });
        return { status: response.status };
      }
      if (command === 'fault-proxy') {
        await ensureProxy();
        proxy.configure(payload ?? {});
        return { url: proxy.url };
      }
      if (command === 'create-video') {
        const response = await fetch(`${api.url}/videos`, {
          method: 'POST',
          headers: { authorization: basicAuth(), 'content-type': 'application/json' },
          body: JSON.stringify({ title: payload?.title ?? 'Pre-created', public: false }),
        });
        return await response.json();
      }
      if (command === 'fault-proxy-log') return proxy ? proxy.log : [];
      if (command === 'source-sha256') return await sha256OfSource(payload.videoId);
      if (command === 'video-status') {
        const response = await fetch(`${api.url}/videos/${encodeURIComponent(payload.videoId)}/status`, {
          headers: { authorization: basicAuth() },
        });
        return { status: response.status, body: await response.json().catch(() => null) };
      }
      if (command === 'token-endpoint-log') {
        const calls = tokenCalls;
        if (payload?.reset) tokenCalls = [];
        return calls;
      }
      return undefined;
    },
  };
}

const videoApi = videoApiPlugin();
/**
 * tus-js-client's url-parse and its two dependencies ship CommonJS only: serve them as ES modules
 * (`require('x')` becomes an import, `module.exports` the default export).
 */
function commonjsShim() {
  const targets = /\/node_modules\/(url-parse|requires-port|querystringify)\/index\.js$/;
  return {
    name: 'commonjs-shim',
    transform(context) {
      if (!targets.test(context.path)) return undefined;
      const imports = [];
      const code = context.body.replace(/require\('([^']+)'\)/g, (_match, name) => {
        const id = `__required${imports.length}`;
        imports.push(`import ${id} from '${name}';`);
        return id;
      });
      return { body: `${imports.join('\n')}\nconst module = { exports: {} };\nconst exports = module.exports;\n${code}\nexport default module.exports;\n` };
    },
  };
}

export default {
  files: 'test/browser/**/*.test.ts',
  // Browser builds of dependencies (tus-js-client has a Node and a browser entry).
  nodeResolve: { browser: true },
  concurrency: 1,
  testFramework: { config: { timeout: 60000 } },
  testsFinishTimeout: 10 * 60 * 1000,
  middleware: [(ctx, next) => videoApi.tokenMiddleware(ctx, next)],
  plugins: [
    videoApi,
    commonjsShim(),
    esbuildPlugin({ ts: true, target: 'es2021', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--no-first-run'],
      },
    }),
  ],
};
