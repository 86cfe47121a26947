import { expect } from '@open-wc/testing';
import { UploadSession } from '../../../src/upload/index.js';
import {
  CHUNK,
  clearResumeRecords,
  configureProxy,
  createVideo,
  grantFor,
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
  videoApi,
} from './helpers.js';

describe('apivideo transport against the local video API', () => {
  beforeEach(clearResumeRecords);

  it('uploads a multi-part file whose stored source has the same SHA-256', async () => {
    const { url } = await videoApi();
    const { token } = await mintToken(600);
    const file = makeFile(11 * MiB + 12345, 'three-parts.mp4', 7);
    const session = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK });
    const events = record(session);
    expect(session.start(file)).to.equal(true);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    const video = session.video!;
    expect(video.videoId).to.match(/^vi[0-9A-Za-z]{22}$/);
    expect(video.title).to.equal('three-parts.mp4');
    const stored = await sourceSha256(video.videoId);
    expect(stored.size).to.equal(file.size);
    expect(stored.sha256).to.equal(await sha256(file));

    expect(events.states).to.deep.equal(['authorizing', 'uploading', 'complete']);
    expect(events.starts).to.deep.equal([{ file, resumedBytes: 0 }]);
    const last = events.progress.at(-1)!;
    expect(last.uploadedBytes).to.equal(file.size);
    expect(last.percent).to.equal(100);
    expect(last.parts).to.equal(3);
    expect(last.secondsRemaining).to.equal(0);
    for (let i = 1; i < events.progress.length; i++) {
      const [before, after] = [events.progress[i - 1], events.progress[i]];
      expect(after.uploadedBytes).to.be.at.least(before.uploadedBytes);
      expect(after.uploadedBytes).to.be.at.most(file.size);
      // At most one event per 100 ms, except the final one.
      if (i < events.progress.length - 1) expect(after.at - before.at).to.be.at.least(95);
    }
    expect(session.progress.uploadedBytes).to.equal(file.size);
  });

  it('reports progress within a part, in file bytes, never above the total', async () => {
    // Loopback socket buffers swallow a few MiB at once: a 10 MiB part at 4 MiB/s is still mid-way for a while.
    const { url } = await configureProxy({ bandwidth: 4 * MiB });
    const { token } = await mintToken(600);
    const file = makeFile(12 * MiB, 'progress.mp4', 3);
    const session = new UploadSession({ token, apiUrl: url, chunkSize: 10 * MiB });
    const events = record(session);
    session.start(file);
    expect((await settled(session)).state).to.equal('complete');
    // Some event landed strictly inside the first part (XHR upload progress, scaled to the part).
    expect(events.progress.some((p) => p.uploadedBytes > 0 && p.uploadedBytes < 10 * MiB && p.part === 1)).to.equal(
      true,
    );
    expect(events.progress.every((p) => p.uploadedBytes <= file.size && p.percent <= 100)).to.equal(true);
    expect(events.progress.some((p) => p.bytesPerSecond > 0 && p.secondsRemaining !== null)).to.equal(true);
  });

  it('sends parts in parallel after the first one created the video', async () => {
    const { url } = await configureProxy({ bandwidth: 16 * MiB });
    const { token } = await mintToken(600);
    const file = makeFile(21 * MiB, 'parallel.mp4', 11);
    const session = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK, parallel: 3 });
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));

    const sent = uploads(await proxyLog());
    expect(sent.map(partOf).sort()).to.deep.equal([1, 2, 3, 4, 5]);
    const first = sent.find((e) => partOf(e) === 1)!;
    for (const entry of sent) if (entry !== first) expect(entry.startedAt).to.be.at.least(first.endedAt!);
    // Several parts were in flight at once.
    const overlapping = sent.filter((a) =>
      sent.some((b) => a !== b && a.startedAt < b.endedAt! && b.startedAt < a.endedAt!),
    );
    expect(overlapping.length).to.be.at.least(2);
    expect(sent.every((e) => e.contentRange === `part ${partOf(e)}/5`)).to.equal(true);
  });

  it('uploads into the video named by the grant', async () => {
    const { url } = await videoApi();
    const { videoId } = await createVideo('Made by the issuer');
    const grant = await grantFor(url, 600, { videoId });
    const file = makeFile(7 * MiB, 'pre-created.mp4', 5);
    const session = new UploadSession({ tokenProvider: async () => grant, chunkSize: CHUNK, parallel: 2 });
    session.start(file);
    expect((await settled(session)).state).to.equal('complete');
    expect(session.video!.videoId).to.equal(videoId);
    expect(session.video!.title).to.equal('Made by the issuer');
    expect((await sourceSha256(videoId)).sha256).to.equal(await sha256(file));
  });
});
