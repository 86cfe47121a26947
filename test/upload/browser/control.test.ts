import { expect } from '@open-wc/testing';
import { UploadSession } from '../../../src/upload/index.js';
import {
  CHUNK,
  clearResumeRecords,
  configureProxy,
  delay,
  makeFile,
  MiB,
  mintToken,
  partOf,
  progressWhere,
  proxyLog,
  record,
  settled,
  sha256,
  sourceSha256,
  uploads,
} from './helpers.js';

describe('pause, resume, cancel', () => {
  beforeEach(clearResumeRecords);

  it('pauses mid-part at once and resends that part on resume', async () => {
    const { url } = await configureProxy({ bandwidth: 4 * MiB });
    const { token } = await mintToken(600);
    const file = makeFile(12 * MiB, 'pause.mp4', 31);
    const session = new UploadSession({ token, apiUrl: url, chunkSize: 10 * MiB });
    const events = record(session);
    session.start(file);
    await progressWhere(session, (p) => p.uploadedBytes > 0 && p.uploadedBytes < 10 * MiB);
    expect(session.pause()).to.equal(true);
    expect(session.state).to.equal('paused');
    const paused = session.progress.uploadedBytes;
    const atPause = (await proxyLog()).length;
    await delay(600);
    // Nothing moves while paused: the part in flight was aborted and nothing new was sent.
    const log = uploads(await proxyLog());
    // (The proxy may still be draining what the socket buffered before the abort; it never answers it.)
    expect(log).to.have.length(1);
    expect(log[0].status).to.equal(0);
    expect((await proxyLog()).length).to.equal(atPause);
    expect(session.progress.uploadedBytes).to.equal(paused);
    expect(session.pause()).to.equal(false);

    expect(session.resume()).to.equal(true);
    const { state } = await settled(session);
    expect(state).to.equal('complete');
    expect(events.states).to.deep.equal(['authorizing', 'uploading', 'paused', 'uploading', 'complete']);
    const sent = uploads(await proxyLog());
    expect(sent.map(partOf)).to.deep.equal([1, 1, 2]);
    for (let i = 1; i < events.progress.length; i++) {
      expect(events.progress[i].uploadedBytes).to.be.at.least(events.progress[i - 1].uploadedBytes);
    }
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('cancels mid-part at once; nothing runs afterwards', async () => {
    const { url } = await configureProxy({ bandwidth: 4 * MiB });
    const { token } = await mintToken(600);
    const file = makeFile(12 * MiB, 'cancel.mp4', 32);
    const session = new UploadSession({ token, apiUrl: url, chunkSize: 10 * MiB });
    const events = record(session);
    let canceledEvents = 0;
    session.addEventListener('cancel', () => canceledEvents++);
    session.start(file);
    await progressWhere(session, (p) => p.uploadedBytes > 0);
    expect(session.cancel()).to.equal(true);
    expect(session.state).to.equal('canceled');
    expect(session.error!.code).to.equal('canceled');
    expect(canceledEvents).to.equal(1);
    const progressCount = events.progress.length;
    await delay(800);
    const log = uploads(await proxyLog());
    expect(log).to.have.length(1);
    expect(log[0].status).to.equal(0);
    expect(events.progress.length).to.equal(progressCount);
    expect(events.states.at(-1)).to.equal('canceled');
    expect(session.resume()).to.equal(false);
    expect(session.pause()).to.equal(false);
    expect(session.cancel()).to.equal(false);
    expect(session.start(file)).to.equal(false);
    expect(Object.keys(localStorage).filter((k) => k.startsWith('video-uploader:'))).to.deep.equal([]);
  });

  it('cancels while authorizing', async () => {
    let aborted = false;
    const session = new UploadSession({
      tokenProvider: (_file, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    });
    session.start(makeFile(1024));
    expect(session.state).to.equal('authorizing');
    expect(session.cancel()).to.equal(true);
    await delay(10);
    expect(aborted).to.equal(true);
    expect(session.state).to.equal('canceled');
  });

  it('refuses transitions that do not apply', async () => {
    const session = new UploadSession({ token: 'to0000000000000000000000', apiUrl: 'http://127.0.0.1:9' });
    expect(session.state).to.equal('idle');
    expect(session.pause()).to.equal(false);
    expect(session.resume()).to.equal(false);
    expect(session.cancel()).to.equal(false);
    expect(session.progress).to.deep.equal({
      uploadedBytes: 0,
      totalBytes: 0,
      percent: 0,
      bytesPerSecond: 0,
      secondsRemaining: null,
      part: 1,
      parts: 1,
    });
    expect(session.state).to.equal('idle');
    const file = makeFile(CHUNK);
    expect(session.start(file)).to.equal(true);
    expect(session.start(file)).to.equal(false);
    expect(session.resume()).to.equal(false);
    expect(session.file).to.equal(file);
    session.cancel();
  });

  it('fails at start with no token source', async () => {
    const session = new UploadSession({});
    session.start(makeFile(1024));
    const { state, error } = await settled(session);
    expect(state).to.equal('error');
    expect(error!.code).to.equal('token-missing');
    expect(error!.message).to.match(/token-url.*tokenProvider.*token/);
    // Nothing to resume: the options cannot change.
    expect(session.resume()).to.equal(false);
    expect(session.state).to.equal('error');
  });
});
