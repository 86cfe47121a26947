/**
 * The HTTP layer under slow, broken and oversized clients: every answer a problem body, a deadline
 * for the headers, an inactivity timeout for the body, and no body read forever.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTokenIssuer } from '../../src/issuer/index.js';
import { serveTokenIssuer } from '../../src/issuer/node.js';
import { rmSync } from 'node:fs';
import { basic, startTestApi, tempDir, type TestApi } from '../support/api.js';
import { bytes, createToken } from '../support/upload.js';

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  /** Milliseconds from the first byte sent until the server closed the connection. */
  closedAfter: number;
}

/**
 * Writes `parts` on a raw connection, `gapMs` apart, and keeps the connection open until the
 * server closes it (or `giveUpMs` passes, which fails the test).
 */
function raw(
  url: string,
  parts: (string | Buffer)[],
  options: { gapMs?: number; giveUpMs?: number; endless?: Buffer } = {},
): Promise<RawAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${options.giveUpMs ?? 10_000} ms`));
    }, options.giveUpMs ?? 10_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(giveUp);
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: split < 0 ? '' : text.slice(split + 4),
        closedAfter: Date.now() - started,
      });
    });
    let i = 0;
    const next = (): void => {
      if (socket.destroyed) return;
      if (i < parts.length) {
        socket.write(parts[i++]);
        timer = setTimeout(next, options.gapMs ?? 0);
      } else if (options.endless) {
        // As fast as the server takes it, never ending.
        while (socket.write(options.endless)) {
          /* fill the buffer */
        }
        socket.once('drain', next);
      }
    };
    next();
  });
}

function assertProblem(answer: RawAnswer, status: number): void {
  assert.equal(answer.status, status, answer.head);
  assert.match(answer.head, /content-type: application\/problem\+json/i);
  const problem = JSON.parse(answer.body) as { status: number; title: string; type: string };
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.match(problem.type, /^https:\/\//);
}

describe('HTTP edges of the local video API', () => {
  let api: TestApi;
  let auth: string;
  const errors: string[] = [];
  const consoleError = console.error;

  before(async () => {
    // The app reports unexpected errors on stderr: a client's misbehaviour must never be one.
    console.error = (...args: unknown[]) => {
      errors.push(args.map(String).join(' '));
    };
    api = await startTestApi({ timeouts: { headersMs: 1_000, idleMs: 1_000, keepAliveMs: 1_000, smallBodyMs: 2_000 } });
    auth = basic(api.apiKey);
  });

  after(async () => {
    console.error = consoleError;
    await api.stop();
    assert.deepEqual(errors, []);
  });

  it('answers requests node:http cannot parse with a problem body', async () => {
    assertProblem(await raw(api.url, ['GET /vi\0deos HTTP/1.1\r\nHost: x\r\n\r\n']), 400);
    assertProblem(
      await raw(api.url, ['GET /videos HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n']),
      400,
    );
    assertProblem(await raw(api.url, [`GET /videos HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]), 431);
  });

  it('answers a malformed request followed by a large body with a problem the client gets to read', async () => {
    for (let i = 0; i < 5; i++) {
      assertProblem(
        await raw(api.url, [
          Buffer.concat([
            Buffer.from('OPTIONS / x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n'),
            Buffer.alloc(2_000_000, 0x30),
          ]),
        ]),
        400,
      );
    }
  });

  it("answers the tus mount's own refusals as problem bodies, an unsupported extension with 400", async () => {
    const token = await createToken(api);
    const noVersion = await fetch(`${api.url}/tus`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'upload-length': '10' },
    });
    assert.equal(noVersion.status, 412);
    assert.match(noVersion.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(((await noVersion.json()) as { status: number }).status, 412);
    const concat = await fetch(`${api.url}/tus`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-concat': 'partial',
        'upload-length': '10',
      },
    });
    assert.equal(concat.status, 400);
    const problem = (await concat.json()) as { status: number; type: string };
    assert.equal(problem.status, 400);
    assert.match(problem.type, /tus-extension-not-supported$/);
  });

  it('lets a client that asked to close read a refusal sent before its body was read', async () => {
    const token = await createToken(api);
    for (let i = 0; i < 5; i++) {
      const body = Buffer.alloc(3 * 1024 * 1024, 0x30);
      // The range is refused before the body is read; the client is still sending when the answer leaves.
      const answer = await raw(api.url, [
        `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Range: bytes 5-1/2\r\nContent-Length: ${body.length}\r\n\r\n`,
        body,
      ]);
      assertProblem(answer, 400);
      assert.ok(answer.closedAfter < 3_000, `closed after ${answer.closedAfter} ms`);
    }
  });

  it('answers pipelined requests in order, the broken one last, and an unmet Expect without losing the next', async () => {
    const { sendPipelined } = await import('../../tools/fuzz/fuzz-core.js');
    const port = Number(new URL(api.url).port);
    const request = (target: string, headers: [string, Buffer][] = [], body = Buffer.alloc(0)) => ({
      method: 'GET',
      target: Buffer.from(target, 'latin1'),
      headers,
      body,
    });
    const auth: [string, Buffer] = ['Authorization', Buffer.from(basic(api.apiKey))];
    const answers = await sendPipelined(
      port,
      [
        request('/videos', [auth]),
        request('/upload-tokens', [auth]),
        request('/vi\0deos', [auth]),
        request('/videos', [auth]),
      ],
      5_000,
    );
    assert.ok(answers !== 'hang');
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 400],
    );
    const expect = await sendPipelined(
      port,
      [
        { ...request('/videos', [auth, ['Expect', Buffer.from('teapot')]], Buffer.from('{}')), method: 'POST' },
        request('/videos', [auth]),
      ],
      5_000,
    );
    assert.ok(expect !== 'hang');
    assert.deepEqual(
      expect.map((a) => a.status),
      [417, 200],
    );
  });

  it('closes a keep-alive connection left idle after an answer once keepAliveMs has passed', async () => {
    // Two answered requests on one connection, then silence: the server closes it at the keep-alive timeout
    // (1 s here; 5 s by default), so idle connections cannot pile up.
    const request = `GET /videos HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n\r\n`;
    const answer = await raw(api.url, [request, request], { gapMs: 200, giveUpMs: 6_000 });
    assert.equal(answer.status, 200, answer.head);
    assert.equal(
      answer.body.match(/HTTP\/1\.1 200/g)?.length,
      1,
      'the second request was answered on the same connection',
    );
    assert.ok(answer.closedAfter >= 1_000, `closed after ${answer.closedAfter} ms, before the keep-alive timeout`);
    assert.ok(answer.closedAfter < 4_000, `closed after ${answer.closedAfter} ms`);
  });

  it('answers CONNECT with 405 and an Expect it cannot meet with 417, as problem bodies', async () => {
    assertProblem(await raw(api.url, ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n']), 405);
    assertProblem(
      await raw(api.url, ['GET /videos HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n']),
      417,
    );
  });

  it('answers a request without or with a broken Host with a problem body', async () => {
    assertProblem(await raw(api.url, ['GET /videos HTTP/1.1\r\nConnection: close\r\n\r\n']), 400);
    assertProblem(await raw(api.url, ['GET /videos HTTP/1.1\r\nHost: a b:c\r\nConnection: close\r\n\r\n']), 400);
  });

  it('cuts off headers sent byte by byte (slowloris) at the headers deadline with 408', async () => {
    const head = [
      ...'GET /upload-tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ];
    const answer = await raw(api.url, head, { gapMs: 100, giveUpMs: 5_000 });
    assertProblem(answer, 408);
    assert.ok(answer.closedAfter < 2_500, `closed after ${answer.closedAfter} ms`);
  });

  it('answers a JSON body that stalls with 408 once the connection is silent, and logs no error', async () => {
    const answer = await raw(api.url, [
      `POST /upload-tokens HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"tt`,
    ]);
    assertProblem(answer, 408);
    assert.ok(answer.closedAfter >= 900 && answer.closedAfter < 3_000, `closed after ${answer.closedAfter} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('answers a JSON body trickled a byte at a time with 408 at the small-body deadline, though never silent', async () => {
    const started = Date.now();
    const answer = await raw(
      api.url,
      [
        `POST /upload-tokens HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
        ...'{"ttl": 60, "pad": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'.split(''),
      ],
      { gapMs: 300 },
    );
    assertProblem(answer, 408);
    assert.ok(answer.closedAfter >= 1_900 && answer.closedAfter < 3_500, `closed after ${answer.closedAfter} ms`);
    assert.ok(Date.now() - started < 4_000);
  });

  it('answers an upload that stalls mid-body with 408 and keeps no file of it', async () => {
    const token = await createToken(api);
    const boundary = 'b0undary';
    const answer = await raw(api.url, [
      `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n`,
      bytes(1000),
    ]);
    assertProblem(answer, 408);
    const videos = (await (await api.authed('/videos')).json()) as { data: unknown[] };
    assert.equal(videos.data.length, 0);
  });

  it('survives an unknown videoId followed by a large file part (the skipped part is torn down safely)', async () => {
    const token = await createToken(api);
    for (const size of [100, 5 * 1024 * 1024]) {
      const head = `--b\r\nContent-Disposition: form-data; name="videoId"\r\n\r\nvi${'Z'.repeat(22)}\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n`;
      const tail = '\r\n--b--\r\n';
      const answer = await raw(api.url, [
        `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${head.length + size + tail.length}\r\n\r\n${head}`,
        Buffer.alloc(size, 0xf2),
        tail,
      ]);
      assertProblem(answer, 404);
    }
    // Still serving.
    assert.equal((await api.authed('/videos')).status, 200);
  });

  it('keeps a slow upload that never falls silent for as long as it needs', async () => {
    const token = await createToken(api);
    const boundary = 'b0undary';
    const data = bytes(12 * 1000);
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.mp4"\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const length = head.length + data.length + tail.length;
    const parts: (string | Buffer)[] = [
      `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n${head}`,
    ];
    // 12 slices 400 ms apart: 4.8 s in all, over four times the inactivity timeout.
    for (let i = 0; i < 12; i++) parts.push(data.subarray(i * 1000, (i + 1) * 1000));
    parts.push(tail);
    const answer = await raw(api.url, parts, { gapMs: 400, giveUpMs: 15_000 });
    assert.equal(answer.status, 201, answer.head + answer.body);
    assert.ok(answer.closedAfter > 4_000);
  });

  it('answers a 10 GB Content-Length at once on JSON routes and /upload, and closes', async () => {
    const token = await createToken(api);
    const json = await raw(api.url, [
      `POST /upload-tokens HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: 10737418240\r\n\r\n{`,
    ]);
    assertProblem(json, 413);
    assert.ok(json.closedAfter < 1_000);
    const upload = await raw(api.url, [
      `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10737418240\r\n\r\n--b\r\n`,
    ]);
    assertProblem(upload, 400);
    assert.ok(upload.closedAfter < 1_000);
  });

  /** 64 KiB of body, framed as one chunk of a chunked body (whose first size line the request carries). */
  const chunked = Buffer.concat([Buffer.alloc(0x10000, 0x61), Buffer.from('\r\n10000\r\n')]);

  it('does not read forever a body that never ends on a route that ignores it', async () => {
    const block = Buffer.alloc(64 * 1024, 0x61);
    for (const request of [
      `GET /upload-tokens?pageSize=1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: 10737418240\r\n\r\n`,
      'POST /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Length: 10737418240\r\n\r\n',
      'POST /upload-tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 10737418240\r\n\r\n',
    ]) {
      const answer = await raw(api.url, [request], { endless: block, giveUpMs: 6_000 });
      assert.ok(answer.status >= 200 && answer.status < 500, answer.head);
      assert.ok(answer.closedAfter < 4_000, `${request.split('\r\n')[0]}: closed after ${answer.closedAfter} ms`);
    }
    const get = await raw(
      api.url,
      [`GET /videos HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n`],
      { endless: chunked, giveUpMs: 6_000 },
    );
    assert.equal(get.status, 200);
    assert.ok(get.closedAfter < 4_000, `closed after ${get.closedAfter} ms`);
  });

  it('answers a never-ending JSON body with 413 and a never-ending upload with 400 at the limit', async () => {
    // The answer must reach the client although it never stops sending (no reset before it reads).
    for (let i = 0; i < 5; i++) {
      const json = await raw(
        api.url,
        [`POST /videos HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n`],
        { endless: chunked },
      );
      assertProblem(json, 413);
      assert.equal(JSON.parse(json.body).title, 'The payload is too large.');
    }
    const token = await createToken(api);
    const part = '--b\r\nContent-Disposition: form-data; name="file"; filename="x.mp4"\r\n\r\n';
    const upload = await raw(
      api.url,
      [
        `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `${part.length.toString(16)}\r\n${part}\r\n10000\r\n`,
      ],
      { endless: chunked, giveUpMs: 30_000 },
    );
    assertProblem(upload, 400);
    assert.equal(JSON.parse(upload.body).title, 'The uploaded file is too large.');
  });
});

describe('HTTP edges of the issuer served by its node adapter', () => {
  it('answers what node:http refuses with problem bodies', async () => {
    const issuer = await serveTokenIssuer(createTokenIssuer({ apiKey: 'k', apiUrl: 'http://127.0.0.1:9' }));
    try {
      assertProblem(await raw(issuer.url, ['POST /\0 HTTP/1.1\r\nHost: x\r\n\r\n']), 400);
      assertProblem(await raw(issuer.url, [`POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]), 431);
      assertProblem(await raw(issuer.url, ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n']), 405);
      assertProblem(
        await raw(issuer.url, ['POST / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n']),
        417,
      );
      // Methods a web Request cannot carry reach the adapter all the same.
      for (const method of ['TRACE'])
        assertProblem(await raw(issuer.url, [`${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]), 405);
      // No Host: the issuer itself answers (here 405 to a GET).
      assertProblem(await raw(issuer.url, ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n']), 405);
    } finally {
      await issuer.close();
    }
  });
});

describe("HTTP edges of the dev server's issuer route", () => {
  it("answers a chunked body over the issuer's limit with 413 and keeps serving the connection", async () => {
    const { startVideoApiServer } = await import('../../src/server/app.js');
    const { registerDevRoutes, ISSUER_PATH } = await import('../../src/cli/dev-routes.js');
    const { sendPipelined } = await import('../../tools/fuzz/fuzz-core.js');
    const dataDir = tempDir();
    let publicUrl = '';
    const dev = await startVideoApiServer({ apiKey: 'k', dataDir, port: 0, host: '127.0.0.1' }, (app, ctx) =>
      registerDevRoutes(app, ctx, { demoDir: 'demo', cdnDir: 'dist/cdn', publicUrl: () => publicUrl }),
    );
    publicUrl = dev.url;
    try {
      const port = Number(new URL(dev.url).port);
      for (const size of [20_000, 2_000_000]) {
        const big = {
          method: 'POST',
          target: Buffer.from(ISSUER_PATH),
          headers: [['Content-Type', Buffer.from('application/json')]] as [string, Buffer][],
          body: Buffer.alloc(size, 0x20),
          chunked: true,
        };
        const answers = await sendPipelined(
          port,
          [big, { method: 'GET', target: Buffer.from('/videos'), headers: [], body: Buffer.alloc(0) }],
          5_000,
        );
        assert.ok(answers !== 'hang');
        assert.deepEqual(
          answers.map((a) => a.status),
          [413, 401],
          `${size} bytes`,
        );
      }
      // A body within the limit still gets its token.
      const ok = await fetch(dev.url + ISSUER_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'a.mp4' }),
      });
      assert.equal(ok.status, 200);
    } finally {
      await dev.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("frames every answer of the demo's video list by its own length, pipelined", async () => {
    // Found by the fuzzer: one headers object shared by every answer took the first body's length for good.
    const { startVideoApiServer } = await import('../../src/server/app.js');
    const { registerDevRoutes } = await import('../../src/cli/dev-routes.js');
    const { sendPipelined } = await import('../../tools/fuzz/fuzz-core.js');
    const dataDir = tempDir();
    const dev = await startVideoApiServer({ apiKey: 'k', dataDir, port: 0, host: '127.0.0.1' }, (app, ctx) =>
      registerDevRoutes(app, ctx, { demoDir: 'demo', cdnDir: 'dist/cdn', publicUrl: () => dev.url }),
    );
    try {
      const auth = { authorization: `Basic ${Buffer.from('k:').toString('base64')}` };
      for (const title of ['one', 'two']) {
        const created = await fetch(`${dev.url}/videos`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        });
        assert.equal(created.status, 201);
      }
      const get = (target: string) => ({
        method: 'GET',
        target: Buffer.from(target),
        headers: [],
        body: Buffer.alloc(0),
      });
      const port = Number(new URL(dev.url).port);
      const answers = await sendPipelined(
        port,
        [get('/api/videos'), get('/api/videos?currentPage=x'), get('/api/videos'), get('/videos')],
        5_000,
      );
      assert.ok(answers !== 'hang');
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 400, 200, 401],
      );
      for (const answer of answers) {
        assert.equal(Number(answer.headers.get('content-length')), answer.body.length);
      }
    } finally {
      await dev.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
