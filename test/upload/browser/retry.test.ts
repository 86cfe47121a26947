import { expect } from '@open-wc/testing';
import { backoffDelay, parseRetryAfter, UploadSession } from '../../../src/upload/index.js';
import {
  CHUNK,
  clearResumeRecords,
  configureProxy,
  delay,
  makeFile,
  MiB,
  mintToken,
  partOf,
  proxyLog,
  record,
  settled,
  sha256,
  sourceSha256,
  uploads,
} from './helpers.js';
import type { FaultRule } from '../../support/fault-proxy.js';

/** Uploads an 11 MiB file (3 parts) through the proxy with `rules`; returns the session, events and log. */
async function through(rules: FaultRule[], options: Partial<ConstructorParameters<typeof UploadSession>[0]> = {}) {
  const { url } = await configureProxy({ rules });
  const { token } = await mintToken(600);
  const file = makeFile(11 * MiB, 'faulty.mp4', 51);
  const session = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK, ...options });
  const events = record(session);
  const started = performance.now();
  session.start(file);
  const result = await settled(session);
  const log = uploads(await proxyLog());
  return { session, events, log, file, result, ms: performance.now() - started };
}

async function expectIntact(session: UploadSession, file: File): Promise<void> {
  expect(session.state).to.equal('complete');
  expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
}

describe('retries through a fault-injecting proxy', () => {
  beforeEach(clearResumeRecords);

  it('resends a part whose connection was reset mid-body', async () => {
    // Two resets: Chromium itself silently resends a request once when a reused keep-alive socket drops.
    const { session, events, log, file, result } = await through([
      { path: '/upload', part: 2, times: 2, action: { type: 'reset', afterBytes: MiB } },
    ]);
    expect(result.error?.message ?? null).to.equal(null);
    await expectIntact(session, file);
    expect(events.retries.length).to.be.within(1, 2);
    expect(events.retries.every((r) => r.error.code === 'network' && r.retries === 6)).to.equal(true);
    expect(events.retries[0].attempt).to.equal(1);
    const part2 = log.filter((e) => partOf(e) === 2);
    expect(part2.map((e) => e.fault)).to.deep.equal(['reset', 'reset', 'forward']);
    expect(part2.at(-1)!.status).to.equal(201);
    expect(events.states).to.include('retrying');
    // Progress never went back although part 2 was sent twice.
    for (let i = 1; i < events.progress.length; i++) {
      expect(events.progress[i].uploadedBytes).to.be.at.least(events.progress[i - 1].uploadedBytes);
    }
  });

  it('retries 503 answers with backoff', async () => {
    const { session, events, log, file } = await through([
      { path: '/upload', part: 1, times: 2, action: { type: 'status', status: 503 } },
    ]);
    await expectIntact(session, file);
    expect(events.retries.map((r) => [r.attempt, r.error.code, r.error.status])).to.deep.equal([
      [1, 'server', 503],
      [2, 'server', 503],
    ]);
    // Full jitter: attempt n waits within [0, 500·2^(n-1)] ms.
    expect(events.retries[0].delayMs).to.be.within(0, 500);
    expect(events.retries[1].delayMs).to.be.within(0, 1000);
    expect(log.map(partOf)).to.deep.equal([1, 1, 1, 2, 3]);
  });

  it('waits as long as a 429 Retry-After says', async () => {
    const { session, events, log, file } = await through([
      { path: '/upload', part: 2, action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } },
    ]);
    await expectIntact(session, file);
    expect(events.retries).to.have.length(1);
    expect(events.retries[0].error.code).to.equal('rate-limited');
    expect(events.retries[0].error.status).to.equal(429);
    expect(events.retries[0].delayMs).to.equal(1000);
    const [refused, resent] = log.filter((e) => partOf(e) === 2);
    expect(resent.startedAt - refused.endedAt!).to.be.at.least(950);
  });

  it('honours X-RateLimit-Retry-After too', async () => {
    const { session, events, file } = await through([
      {
        path: '/upload',
        part: 3,
        action: { type: 'status', status: 429, headers: { 'X-RateLimit-Retry-After': '2' } },
      },
    ]);
    await expectIntact(session, file);
    expect(events.retries[0].delayMs).to.equal(2000);
  });

  it('aborts and resends a part that stalls', async () => {
    const { session, events, log, file } = await through(
      [{ path: '/upload', part: 2, action: { type: 'stall', afterBytes: 256 * 1024 } }],
      { stallTimeout: 1200 },
    );
    await expectIntact(session, file);
    expect(events.retries).to.have.length(1);
    expect(events.retries[0].error.code).to.equal('network');
    expect(events.retries[0].error.message).to.match(/No upload progress for 1 s/);
    expect(log.map(partOf)).to.deep.equal([1, 2, 2, 3]);
  });

  it('does not retry with retries: 0', async () => {
    const { events, result, log } = await through(
      [{ path: '/upload', part: 1, action: { type: 'status', status: 503 } }],
      { retries: 0 },
    );
    expect(result.state).to.equal('error');
    expect(result.error!.code).to.equal('server');
    expect(result.error!.status).to.equal(503);
    expect(result.error!.retryable).to.equal(true);
    expect(events.retries).to.have.length(0);
    expect(log).to.have.length(1);
  });

  it('gives up after the configured retries', async () => {
    const { events, result, log } = await through(
      [{ path: '/upload', part: 1, times: 0, action: { type: 'status', status: 502 } }],
      { retries: 2 },
    );
    expect(result.error!.code).to.equal('server');
    expect(events.retries.map((r) => r.attempt)).to.deep.equal([1, 2]);
    expect(log).to.have.length(3);
  });

  it('gives each part a fresh retry budget once the one before it got through', async () => {
    // Two failures per part with retries: 2. As one budget for the upload they would add up to six and fail
    // it; the budget is per stretch without progress, as after a server restart.
    const { session, events, log, file } = await through(
      [1, 2, 3].map(
        (part) => ({ path: '/upload', part, times: 2, action: { type: 'status', status: 502 } }) as FaultRule,
      ),
      { retries: 2 },
    );
    await expectIntact(session, file);
    expect(events.retries.map((r) => r.attempt)).to.deep.equal([1, 2, 1, 2, 1, 2]);
    expect(log.map(partOf)).to.deep.equal([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });

  it('does not retry other 4xx, and says why', async () => {
    const { events, result, log } = await through([
      {
        path: '/upload',
        part: 2,
        action: { type: 'status', status: 400, body: JSON.stringify({ title: 'The part is too small.', status: 400 }) },
      },
    ]);
    expect(result.error!.code).to.equal('protocol');
    expect(result.error!.status).to.equal(400);
    expect(result.error!.retryable).to.equal(false);
    expect(result.error!.message).to.match(/Part 2 of 3.*400: The part is too small\..*Not retried/);
    expect(events.retries).to.have.length(0);
    expect(log.map(partOf)).to.deep.equal([1, 2]);
  });

  it('waits for the browser to come back online', async () => {
    const { url } = await configureProxy({});
    const { token } = await mintToken(600);
    const descriptor = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine')!;
    let online = false;
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
    try {
      const session = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK });
      const events = record(session);
      session.start(makeFile(2 * MiB, 'offline.mp4'));
      await delay(400);
      expect(session.state).to.equal('retrying');
      expect(uploads(await proxyLog())).to.have.length(0);
      online = true;
      window.dispatchEvent(new Event('online'));
      expect((await settled(session)).state).to.equal('complete');
      expect(events.retries).to.have.length(0);
    } finally {
      delete (navigator as unknown as Record<string, unknown>).onLine;
      Object.defineProperty(Navigator.prototype, 'onLine', descriptor);
    }
  });

  it('computes backoff with full jitter and reads Retry-After forms', () => {
    expect(backoffDelay(1, () => 1)).to.equal(500);
    expect(backoffDelay(3, () => 1)).to.equal(2000);
    expect(backoffDelay(20, () => 1)).to.equal(30_000);
    expect(backoffDelay(4, () => 0)).to.equal(0);
    const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;
    expect(parseRetryAfter(headers({ 'Retry-After': '3' }))).to.equal(3000);
    expect(parseRetryAfter(headers({ 'X-RateLimit-Retry-After': '4' }))).to.equal(4000);
    expect(parseRetryAfter(headers({ 'Retry-After': '1', 'X-RateLimit-Retry-After': '5' }))).to.equal(5000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).to.equal(7000);
    expect(parseRetryAfter(headers({}))).to.equal(undefined);
    expect(parseRetryAfter(headers({ 'Retry-After': 'soon' }))).to.equal(undefined);
  });
});
