/**
 * An upload token opens `/upload` and the tus endpoint, nothing else: every management route
 * refuses it in every place a client could put it, and nothing changes behind the refusal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from '../../support/api.js';
import { bytes, createToken, expectVideo, sendChunk } from '../../support/upload.js';
import { expectProblem } from './support.js';

describe('an upload token on management routes', () => {
  let api: TestApi;
  let token: string;
  let other: string;
  let videoId: string;

  before(async () => {
    api = await startTestApi();
    token = await createToken(api, 600);
    other = await createToken(api, 0);
    videoId = (await expectVideo(await sendChunk(api, token, bytes(1000)))).videoId;
  });

  after(() => api.stop());

  const routes = (): [string, string, unknown?][] => [
    ['POST', '/upload-tokens', { ttl: 0 }],
    ['GET', '/upload-tokens'],
    ['GET', `/upload-tokens/${other}`],
    ['DELETE', `/upload-tokens/${other}`],
    ['GET', `/upload-tokens/${token}`],
    ['DELETE', `/upload-tokens/${token}`],
    ['POST', '/videos', { title: 'Not mine' }],
    ['GET', '/videos'],
    ['GET', `/videos/${videoId}`],
    ['DELETE', `/videos/${videoId}`],
    ['GET', `/videos/${videoId}/status`],
  ];

  const credentials = (t: string): { name: string; query: string; headers: Record<string, string> }[] => [
    { name: '?token=', query: `?token=${t}`, headers: {} },
    { name: 'Bearer', query: '', headers: { authorization: `Bearer ${t}` } },
    { name: 'Basic user', query: '', headers: { authorization: `Basic ${Buffer.from(`${t}:`).toString('base64')}` } },
    {
      name: 'Basic user without colon',
      query: '',
      headers: { authorization: `Basic ${Buffer.from(t).toString('base64')}` },
    },
    {
      name: 'Basic password',
      query: '',
      headers: { authorization: `Basic ${Buffer.from(`:${t}`).toString('base64')}` },
    },
    { name: '?token= and Bearer', query: `?token=${t}`, headers: { authorization: `Bearer ${t}` } },
  ];

  it('answers 401 on every management route, whatever place the token is put in', async () => {
    let refused = 0;
    for (const [method, path, body] of routes()) {
      for (const credential of credentials(token)) {
        const response = await fetch(`${api.url}${path}${credential.query}`, {
          method,
          headers: { ...credential.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        const problem = await expectProblem(response, 401);
        assert.match(
          problem.type,
          /\/reference\/authentication-(missing-authorization-header|invalid-api-key|invalid-access-token)$/,
          `${method} ${path} with ${credential.name}`,
        );
        refused++;
      }
    }
    assert.equal(refused, 66);
  });

  it('changed nothing behind the refusals: both tokens and the video are still there, nothing was created', async () => {
    const tokens = (await (await api.authed('/upload-tokens?pageSize=100')).json()) as { data: { token: string }[] };
    assert.deepEqual(tokens.data.map((t) => t.token).sort(), [token, other].sort());
    const videos = (await (await api.authed('/videos')).json()) as { data: { videoId: string; title: string }[] };
    assert.deepEqual(
      videos.data.map((v) => v.videoId),
      [videoId],
    );
  });

  it('cannot be traded for an access token on the auth routes', async () => {
    for (const [path, body] of [
      ['/auth/api-key', { apiKey: token }],
      ['/auth/refresh', { refreshToken: token }],
    ] as const) {
      await expectProblem(
        await fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        400,
      );
    }
  });

  it('still uploads: the refusals are about the route, not a broken token', async () => {
    await expectVideo(await sendChunk(api, token, bytes(500, 2)));
  });
});
