import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.js';

describe('local video API smoke', () => {
  let api: TestApi;
  before(async () => { api = await startTestApi(); });
  after(async () => { await api.stop(); });

  it('creates an upload token with Basic auth', async () => {
    const response = await api.authed('/upload-tokens', { method: 'POST', body: JSON.stringify({ ttl: 60 }) });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.match(body.token, /^to[0-9A-Za-z]{22}$/);
  });
});
