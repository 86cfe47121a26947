/**
 * The README's and docs/issuer.md's code runs as written. A fenced JavaScript/TypeScript block preceded by
 * `<!-- runnable… -->` is run as an ES module in its own Node process, importing the package by its name
 * (the built `dist/`), with `APIVIDEO_API_KEY` and `APIVIDEO_API_URL` naming a real local video API and
 * `PORT` a free port. What follows `runnable:` says what to check:
 * - `exports issueToken`: the module's `issueToken` answers a POST with a token;
 * - `serves /api/upload-token`: once it listens on PORT, a preflight and a POST from the allowed
 *   origin get their answers there;
 * - nothing: the module runs to its end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UPLOAD_TOKEN_PATTERN } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';

const SOURCES = ['README.md', 'docs/issuer.md'];
const ORIGIN = 'https://www.example.com';
// Inside the package folder, so that `video-uploader/…` resolves to this package by its own name.
const WORK = '.tmp/snippets';

interface Snippet {
  source: string;
  line: number;
  check: string;
  code: string;
}

function snippetsOf(source: string): Snippet[] {
  const text = readFileSync(source, 'utf8');
  const found: Snippet[] = [];
  const pattern = /<!-- runnable(?::\s*([^>]*?))?\s*-->\s*\n```(js|ts|javascript|typescript)\n([\s\S]*?)\n```/g;
  for (const match of text.matchAll(pattern)) {
    found.push({
      source,
      line: text.slice(0, match.index).split('\n').length,
      check: (match[1] ?? '').trim(),
      code: match[3],
    });
  }
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const failure = exited();
    if (failure !== undefined) throw new Error(`the snippet exited before listening:\n${failure}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing listened on ${port}`);
}

describe(
  'README and docs snippets run as written',
  { skip: !existsSync('dist/issuer/index.js') && 'run `npm run build` first' },
  () => {
    let api: TestApi;
    const snippets = SOURCES.flatMap(snippetsOf);

    before(async () => {
      api = await startTestApi();
      mkdirSync(WORK, { recursive: true });
    });
    after(async () => {
      await api.stop();
      rmSync(WORK, { recursive: true, force: true });
    });

    it('finds the snippets marked runnable in the README', () => {
      assert.ok(snippets.filter((s) => s.source === 'README.md').length >= 3, 'README has runnable snippets');
      assert.ok(
        snippets.some((s) => s.source === 'docs/issuer.md'),
        'docs/issuer.md has runnable snippets',
      );
    });

    for (const snippet of snippets) {
      it(`${snippet.source}:${snippet.line} (${snippet.check || 'runs'})`, async () => {
        const name = `${snippet.source.replace(/\W/g, '-')}-${snippet.line}`;
        const file = join(WORK, `${name}.mjs`);
        // TypeScript blocks are run through tsx; JavaScript ones by Node as they are.
        writeFileSync(file, snippet.code);
        let entry = file;
        if (snippet.check === 'exports issueToken') {
          entry = join(WORK, `${name}-check.mjs`);
          writeFileSync(
            entry,
            `import { issueToken } from './${name}.mjs';
const ask = (cookie) => issueToken(new Request('https://tokens.example/api/upload-token', {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  body: JSON.stringify({ fileName: 'clip.mp4', fileSize: 1000, fileType: 'video/mp4' }),
}));
const signedIn = await ask('session=u-42');
const anonymous = await ask();
console.log(JSON.stringify({ signedIn: signedIn.status, grant: await signedIn.json(), anonymous: anonymous.status }));`,
          );
        }
        const port = await freePort();
        const child = spawn(process.execPath, ['--import', 'tsx', entry], {
          env: { ...process.env, APIVIDEO_API_KEY: api.apiKey, APIVIDEO_API_URL: api.url, PORT: String(port) },
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
        try {
          if (snippet.check === 'serves /api/upload-token') {
            await waitForPort(port, () => (child.exitCode === null ? undefined : output));
            const url = `http://127.0.0.1:${port}/api/upload-token`;
            const preflight = await fetch(url, {
              method: 'OPTIONS',
              headers: {
                origin: ORIGIN,
                'access-control-request-method': 'POST',
                'access-control-request-headers': 'content-type',
              },
            });
            assert.equal(preflight.status, 204, 'the preflight is answered');
            assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
            await preflight.body?.cancel();
            const grant = await fetch(url, {
              method: 'POST',
              headers: { origin: ORIGIN, 'content-type': 'application/json' },
              body: JSON.stringify({ fileName: 'clip.mp4', fileSize: 1000, fileType: 'video/mp4' }),
            });
            assert.equal(grant.status, 200, await grant.clone().text());
            const body = (await grant.json()) as { token: string; apiUrl: string };
            assert.match(body.token, UPLOAD_TOKEN_PATTERN);
            assert.equal(body.apiUrl, api.url);
          } else {
            assert.equal(await exited, 0, output);
            if (snippet.check === 'exports issueToken') {
              const seen = JSON.parse(output.trim().split('\n').pop()!) as {
                signedIn: number;
                grant: { token: string; videoId?: string };
                anonymous: number;
              };
              assert.equal(seen.signedIn, 200, output);
              assert.match(seen.grant.token, UPLOAD_TOKEN_PATTERN);
              assert.match(seen.grant.videoId ?? '', /^vi/, 'authorize pre-created the video');
              assert.equal(seen.anonymous, 403);
            }
          }
        } finally {
          child.kill('SIGTERM');
          await exited;
        }
      });
    }
  },
);
