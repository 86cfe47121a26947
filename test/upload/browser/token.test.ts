import { expect } from '@open-wc/testing';
import { UploadError, UploadSession } from '../../../src/upload/index.js';
import * as tokenSourceModule from '../../../src/upload/token-source.js';
import { TokenSource } from '../../../src/upload/token-source.js';
import { gate } from '../../element/browser/engine-gate.js';
import {
  CHUNK,
  clearResumeRecords,
  closedPortUrl,
  crossOriginTokenUrl,
  configureProxy,
  delay,
  makeFile,
  MiB,
  mintingProvider,
  mintToken,
  partOf,
  proxyLog,
  record,
  settled,
  sha256,
  sourceSha256,
  tokenEndpointLog,
  uploads,
  videoApi,
} from './helpers.js';

const tokenUrl = (query: string): string => `/__token?${query}`;

describe('token sources', () => {
  beforeEach(clearResumeRecords);

  it('gets a grant from token-url with a same-origin JSON POST of the file facts, and uploads with it', async () => {
    await tokenEndpointLog(true);
    const file = makeFile(6 * MiB, 'from-url.mp4', 21);
    const session = new UploadSession({ tokenUrl: tokenUrl('ttl=600'), chunkSize: CHUNK });
    const events = record(session);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    const calls = await tokenEndpointLog(true);
    expect(calls).to.have.length(1);
    expect(calls[0].method).to.equal('POST');
    expect(calls[0].contentType).to.match(/^application\/json/);
    expect(calls[0].body).to.deep.equal({ fileName: 'from-url.mp4', fileSize: file.size, fileType: 'video/mp4' });
    expect(events.tokens).to.have.length(1);
    expect(events.tokens[0].refreshed).to.equal(false);
    // The grant's apiUrl says where to upload (no apiUrl option was given).
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('corrects the grant expiry for clock skew from the Date header', async () => {
    // The issuer's clock runs an hour behind: its expiresAt looks an hour in the past to us.
    const file = makeFile(1 * MiB, 'skew.mp4', 22);
    const session = new UploadSession({ tokenUrl: tokenUrl('ttl=600&skew=-3600'), chunkSize: CHUNK });
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
  });

  it('never takes a grant for longer-lived than the server does: the Date header counts whole seconds', () => {
    // The local clock agrees with the server's. A 2 s token (its margin is a quarter: 0.5 s), and a Date
    // header that says 00:00:00 for a server time of 00:00:00.900.
    let now = Date.parse('2026-12-01T00:00:00.900Z');
    const source = new TokenSource(new File([], 'skew.mp4'), { tokenProvider: async () => '', now: () => now });
    source.adopt({
      token: 'to1',
      ttl: 2,
      createdAt: '2026-12-01T00:00:00.900Z',
      expiresAt: '2026-12-01T00:00:02.900Z',
    });
    source.observeServerDate('Tue, 01 Dec 2026 00:00:00 GMT');
    now = Date.parse('2026-12-01T00:00:01.000Z');
    expect(source.isExpiring(), '1.9 s left').to.equal(false);
    // 0.4 s left on the server's clock: within the margin. Read as 00:00:00.000, the header would have
    // made the token look 0.9 s longer-lived, and a part would have gone out with it.
    now = Date.parse('2026-12-01T00:00:02.500Z');
    expect(source.isExpiring(), '0.4 s left').to.equal(true);
  });

  it('explains what a bad token endpoint returned', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['mode=html', 'token-endpoint-not-json', /HTML page \(text\/html.*Sign in/],
      ['mode=text', 'token-endpoint-not-json', /not JSON.*token=abc/],
      ['mode=refuse', 'token-endpoint-refused', /answered 403.*refused this visitor/],
      ['mode=missing', 'token-invalid', /without a "token" string \(keys: ttl, expiresAt\)/],
      ['mode=expired', 'token-expired', /already expired \(expiresAt .*Z, 1[12]\d s ago/],
      ['mode=fail', 'token-request-failed', /answered 500.*issuer down/],
    ];
    for (const [query, code, message] of cases) {
      const session = new UploadSession({ tokenUrl: tokenUrl(query), retries: 0 });
      session.start(makeFile(1024, 'x.mp4'));
      const { state, error } = await settled(session);
      expect(state, query).to.equal('error');
      expect(error, query).to.be.instanceOf(UploadError);
      expect(error!.code, query).to.equal(code);
      expect(error!.message, query).to.match(message);
    }
  });

  it('gives up on a token endpoint that does not answer in time', async () => {
    // The fault proxy stalls every request; the token request times out.
    const { url } = await configureProxy({ rules: [{ path: '/', times: 0, action: { type: 'stall' } }] });
    const session = new UploadSession({ tokenUrl: `${url}/slow-token`, tokenRequestTimeout: 300, retries: 0 });
    session.start(makeFile(1024));
    const { error } = await settled(session);
    expect(error!.code).to.equal('token-request-failed');
    expect(error!.message).to.match(/slow-token did not answer within 300 ms\./);
    expect(error!.retryable).to.equal(true);
  });

  it('takes a bare token string from a tokenProvider', async () => {
    const { url } = await videoApi();
    const { token } = await mintToken(600);
    const seen: File[] = [];
    const session = new UploadSession({
      apiUrl: url,
      tokenProvider: async (file) => {
        seen.push(file);
        return token;
      },
    });
    const file = makeFile(2 * MiB, 'bare.mp4', 23);
    session.start(file);
    expect((await settled(session)).state).to.equal('complete');
    expect(seen).to.deep.equal([file]);
  });

  it('fails with token-expired for a static token that has expired', async () => {
    const { url } = await videoApi();
    const { token } = await mintToken(1);
    // createdAt is rounded up to the second, so a 1 s token lives up to 2 s.
    await delay(2200);
    const session = new UploadSession({ token, apiUrl: url });
    session.start(makeFile(1 * MiB));
    const { state, error } = await settled(session);
    expect(state).to.equal('error');
    expect(error!.code).to.equal('token-expired');
    expect(error!.status).to.equal(401);
    expect(error!.retryable).to.equal(false);
    expect(error!.message).to.match(/cannot be refreshed/);
  });

  it('refreshes a grant that expires mid-upload before the next part, without losing a byte', async () => {
    const { url } = await configureProxy({ bandwidth: 12 * MiB });
    // 3 s tokens, refreshed when less than 2.2 s are left: parts take ~0.5 s, so a refresh falls mid-upload.
    const { minted, tokenProvider } = mintingProvider(url, 3);
    const session = new UploadSession({
      tokenProvider,
      tokenSafetyMargin: 2.2,
      chunkSize: CHUNK,
    });
    const events = record(session);
    const file = makeFile(21 * MiB, 'expiring.mp4', 24);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(minted.length).to.be.at.least(2);
    expect(events.tokens.filter((t) => t.refreshed).length).to.equal(minted.length - 1);
    const sent = uploads(await proxyLog());
    // Proactive refresh: no part was refused, every part went once, with more than one token.
    expect(sent.every((e) => e.status === 201)).to.equal(true);
    expect(sent.map(partOf)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(new Set(sent.map((e) => e.token)).size).to.be.at.least(2);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('keeps a short-lived token for its life under the default margin, not one token per part', async () => {
    const { url } = await configureProxy({ bandwidth: 24 * MiB });
    // 20 s tokens are shorter than the default 60 s margin: the margin shrinks to a quarter of their life.
    const { minted, tokenProvider } = mintingProvider(url, 20);
    const session = new UploadSession({
      tokenProvider,
      chunkSize: CHUNK,
    });
    session.start(makeFile(21 * MiB, 'short-lived.mp4', 25));
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(minted.length).to.equal(1);
    expect(new Set(uploads(await proxyLog()).map((e) => e.token)).size).to.equal(1);
  });

  it('fails with unauthorized when a freshly fetched token is refused too', async () => {
    const { url } = await videoApi();
    let calls = 0;
    const session = new UploadSession({
      apiUrl: url,
      tokenProvider: async () => {
        calls++;
        return { token: 'to0000000000000000000000', ttl: 0, createdAt: new Date().toISOString(), expiresAt: null };
      },
    });
    session.start(makeFile(1024));
    const { error } = await settled(session);
    expect(calls).to.equal(2);
    expect(error!.code).to.equal('unauthorized');
    expect(error!.status).to.equal(401);
  });
});

describe('a busy token endpoint', () => {
  beforeEach(clearResumeRecords);

  it('waits out a 429 with Retry-After: 2 without spending a retry, then uploads', async () => {
    const id = `busy-${Math.random()}`;
    const session = new UploadSession({ tokenUrl: tokenUrl(`mode=busy&wait=2&id=${id}`), retries: 1 });
    const events = record(session);
    const file = makeFile(1 * MiB, 'busy.mp4', 31);
    const began = performance.now();
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(performance.now() - began).to.be.at.least(1900);
    expect(events.retries).to.have.length(1);
    expect(events.retries[0].error.code).to.equal('rate-limited');
    expect(events.retries[0].error.status).to.equal(429);
    expect(events.retries[0].delayMs).to.equal(2000);
    expect(events.retries[0].error.message).to.match(/answered 429.*wait 2 s/);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('paces the next request after a grant that says the allowance is spent (X-RateLimit-*)', async () => {
    const url = tokenUrl(`mode=last&wait=2&id=${Math.random()}`);
    const first = new UploadSession({ tokenUrl: url });
    first.start(makeFile(64 * 1024, 'a.mp4', 32));
    expect((await settled(first)).state).to.equal('complete');
    await tokenEndpointLog(true);
    const second = new UploadSession({ tokenUrl: url });
    const events = record(second);
    const began = performance.now();
    second.start(makeFile(64 * 1024, 'b.mp4', 33));
    expect((await settled(second)).state).to.equal('complete');
    expect(performance.now() - began).to.be.at.least(1000);
    expect(events.retries[0].error.code).to.equal('rate-limited');
    expect(events.retries[0].error.message).to.match(/no tokens left/);
    // It waited instead of asking: one request only, after the wait.
    expect(await tokenEndpointLog(true)).to.have.length(1);
  });
});

describe('setup mistakes', () => {
  const failure = async (options: ConstructorParameters<typeof UploadSession>[0]): Promise<UploadError> => {
    const session = new UploadSession({ retries: 0, ...options });
    session.start(makeFile(1024, 'x.mp4'));
    return (await settled(session)).error as UploadError;
  };

  it('tells a token endpoint that is not there (404) from one that cannot be reached or refuses CORS', async () => {
    const missing = await failure({ tokenUrl: '/__no-token-endpoint-here' });
    expect(missing.code).to.equal('token-endpoint-missing');
    expect(missing.message).to.match(/answered 404.*check token-url/);
    const unreachable = await failure({ tokenUrl: await closedPortUrl() });
    expect(unreachable.code).to.equal('token-endpoint-unreachable');
    expect(unreachable.message).to.match(/could not be reached.*issuer is running/);
    expect(unreachable.retryable).to.equal(true);
    const cors = await failure({ tokenUrl: crossOriginTokenUrl() });
    expect(cors.code).to.equal('token-endpoint-cors');
    expect(cors.message).to.contain(location.origin);
    expect(cors.message).to.match(/CORS.*allowedOrigins/);
  });

  it('loads the words of a failed token request only when one fails, and keeps the code when they cannot load', async () => {
    // The words' module forgotten and given a new URL: the page may have loaded it for an earlier test.
    const page = globalThis as { __diagnosisGatePage?: string };
    const fresh = (): void => {
      page.__diagnosisGatePage = String(Math.random()).slice(2);
      (tokenSourceModule as unknown as { __resetDiagnosis(): void }).__resetDiagnosis();
    };
    fresh();
    await gate({ module: 'diagnosis', reset: true });
    // An upload that goes well never asks for them.
    const session = new UploadSession({ tokenUrl: tokenUrl('ttl=600'), chunkSize: CHUNK });
    session.start(makeFile(1 * MiB, 'no-words.mp4', 23));
    expect((await settled(session)).state).to.equal('complete');
    expect(await gate({ module: 'diagnosis' })).to.deep.equal([]);
    // They cannot load (a CDN error): the failure keeps its code, status and retry policy, in fewer words.
    await gate({ module: 'diagnosis', mode: 'fail' });
    try {
      const missing = await failure({ tokenUrl: '/__no-token-endpoint-here' });
      expect(missing.code).to.equal('token-endpoint-missing');
      expect(missing.status).to.equal(404);
      expect(missing.retryable).to.equal(false);
      expect(missing.message).to.equal(
        'The token endpoint /__no-token-endpoint-here failed: token-endpoint-missing 404.',
      );
      expect(await gate({ module: 'diagnosis' })).to.have.length(1);
    } finally {
      await gate({ module: 'diagnosis', mode: 'open', reset: true });
    }
    // The next failure asks for them again (here under a new URL, as after a reload) and has its full words.
    page.__diagnosisGatePage = String(Math.random()).slice(2);
    const again = await failure({ tokenUrl: '/__no-token-endpoint-here' });
    expect(again.message).to.match(/answered 404.*check token-url/);
    expect(await gate({ module: 'diagnosis' })).to.have.length(1);
  });

  it('names the missing token source and the missing api-url of a static token', async () => {
    const none = await failure({});
    expect(none.code).to.equal('token-missing');
    const bare = await failure({ token: 'to0000000000000000000000' });
    expect(bare.code).to.equal('api-url-missing');
    expect(bare.message).to.match(/set api-url/);
  });
});
