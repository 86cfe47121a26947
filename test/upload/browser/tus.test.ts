import { expect } from '@open-wc/testing';
import { UploadSession } from '../../../src/upload/index.js';
import {
  CHUNK,
  clearResumeRecords,
  configureProxy,
  grantFor,
  makeFile,
  MiB,
  mintingProvider,
  progressWhere,
  proxyLog,
  record,
  settled,
  sha256,
  sourceSha256,
  uploads,
} from './helpers.js';

describe('tus transport', () => {
  beforeEach(clearResumeRecords);

  it('uploads with a bearer token that is refreshed mid-upload', async () => {
    const { url } = await configureProxy({ bandwidth: 12 * MiB });
    const { minted, tokenProvider } = mintingProvider(url, 3);
    const session = new UploadSession({
      protocol: 'tus',
      tokenProvider,
      tokenSafetyMargin: 2.2,
      chunkSize: CHUNK,
    });
    const events = record(session);
    const file = makeFile(21 * MiB, 'tus.mp4', 61);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(session.video!.videoId).to.match(/^vi[0-9A-Za-z]{22}$/);
    expect(session.video!.title).to.equal('tus.mp4');
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
    const sent = uploads(await proxyLog());
    expect(sent[0].method).to.equal('POST');
    const patches = sent.filter((e) => e.method === 'PATCH');
    expect(patches.length).to.be.at.least(4);
    // Every request carried a bearer token, and later requests a refreshed one.
    expect(sent.every((e) => e.token && minted.some((g) => g.token === e.token))).to.equal(true);
    expect(new Set(patches.map((e) => e.token)).size).to.be.at.least(2);
    expect(minted.length).to.be.at.least(2);
    expect(sent.every((e) => e.status >= 200 && e.status < 300)).to.equal(true);
    const last = events.progress.at(-1)!;
    expect(last.uploadedBytes).to.equal(file.size);
    for (let i = 1; i < events.progress.length; i++) {
      expect(events.progress[i].uploadedBytes).to.be.at.least(events.progress[i - 1].uploadedBytes);
    }
    expect(Object.keys(localStorage).filter((k) => k.startsWith('video-uploader:'))).to.deep.equal([]);
  });

  it('retries through a reset and a 503', async () => {
    const { url } = await configureProxy({
      rules: [
        { method: 'PATCH', skip: 1, times: 2, action: { type: 'reset', afterBytes: MiB } },
        { method: 'PATCH', skip: 2, action: { type: 'status', status: 503, headers: { 'Retry-After': '0' } } },
      ],
    });
    const session = new UploadSession({ protocol: 'tus', tokenProvider: () => grantFor(url, 600), chunkSize: CHUNK });
    const events = record(session);
    const file = makeFile(16 * MiB, 'tus-faults.mp4', 63);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(events.retries.length).to.be.at.least(1);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('gives the retry budget back once a PATCH gets through', async () => {
    // PATCH 1 and 2 fail, 3 moves the offset, 4 and 5 fail, 6 goes on: four failures with retries: 2.
    const { url } = await configureProxy({
      rules: [
        { method: 'PATCH', times: 2, action: { type: 'status', status: 503, headers: { 'Retry-After': '0' } } },
        {
          method: 'PATCH',
          skip: 1,
          times: 2,
          action: { type: 'status', status: 503, headers: { 'Retry-After': '0' } },
        },
      ],
    });
    const session = new UploadSession({
      protocol: 'tus',
      tokenProvider: () => grantFor(url, 600),
      chunkSize: CHUNK,
      retries: 2,
    });
    const events = record(session);
    const file = makeFile(16 * MiB, 'tus-budget.mp4', 67);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(events.retries.map((r) => r.attempt)).to.deep.equal([1, 2, 1, 2]);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('continues from the server offset when the answer to a stored PATCH is lost', async () => {
    // The browser resends a request whose kept-alive connection closed without an answer; the server
    // already holds those bytes, so the resend gets 409 (offset conflict): the upload asks for the offset.
    const { url } = await configureProxy({ rules: [{ method: 'PATCH', skip: 1, action: { type: 'drop' } }] });
    const session = new UploadSession({ protocol: 'tus', tokenProvider: () => grantFor(url, 600), chunkSize: CHUNK });
    const file = makeFile(16 * MiB, 'tus-lost-answer.mp4', 65);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    const sent = uploads(await proxyLog());
    expect(sent.filter((e) => e.fault === 'drop')).to.have.length(1);
    expect(sent.filter((e) => e.method === 'POST')).to.have.length(1);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('answers a 409 offset conflict on a PATCH by asking the server for its offset', async () => {
    const { url } = await configureProxy({
      rules: [{ method: 'PATCH', skip: 2, action: { type: 'status', status: 409 } }],
    });
    const session = new UploadSession({ protocol: 'tus', tokenProvider: () => grantFor(url, 600), chunkSize: CHUNK });
    const events = record(session);
    const file = makeFile(16 * MiB, 'tus-409.mp4', 66);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(events.retries.map((r) => [r.error.code, r.error.status])).to.deep.equal([['network', 409]]);
    const sent = uploads(await proxyLog());
    const conflict = sent.findIndex((e) => e.status === 409);
    expect(sent[conflict + 1].method).to.equal('HEAD');
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('resumes after a reload from the offset the server has, without a new upload', async () => {
    const { url } = await configureProxy({ bandwidth: 16 * MiB });
    const options = { protocol: 'tus' as const, tokenProvider: () => grantFor(url, 600), chunkSize: CHUNK };
    const first = new UploadSession(options);
    first.start(makeFile(21 * MiB, 'tus-reload.mp4', 64));
    await progressWhere(first, (p) => p.part >= 3);
    first.pause();
    expect(Object.keys(localStorage).filter((k) => k.startsWith('video-uploader:tus:'))).to.have.length(1);
    const before = uploads(await proxyLog()).length;

    const file = makeFile(21 * MiB, 'tus-reload.mp4', 64);
    const second = new UploadSession(options);
    second.start(file);
    const { state, error } = await settled(second);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    const sent = uploads(await proxyLog()).slice(before);
    expect(sent[0].method).to.equal('HEAD');
    expect(sent.some((e) => e.method === 'POST')).to.equal(false);
    const resent = sent.filter((e) => e.method === 'PATCH').reduce((sum, e) => sum + e.bodyBytes, 0);
    // At least the first PATCH (5 MiB) was accepted before the pause; tus keeps partial PATCH bodies too.
    expect(resent).to.be.at.most(file.size - CHUNK);
    expect((await sourceSha256(second.video!.videoId)).sha256).to.equal(await sha256(file));
    expect(Object.keys(localStorage).filter((k) => k.startsWith('video-uploader:tus:'))).to.deep.equal([]);
  });
});
