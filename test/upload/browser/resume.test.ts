import { expect } from '@open-wc/testing';
import { ResumeStore, RESUME_KEY_PREFIX, RESUME_MAX_AGE_MS, UploadSession } from '../../../src/upload/index.js';
import {
  CHUNK,
  clearResumeRecords,
  configureProxy,
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

const records = (): string[] => Object.keys(localStorage).filter((k) => k.startsWith(RESUME_KEY_PREFIX));

describe('resume after a reload', () => {
  beforeEach(clearResumeRecords);

  it('continues the same file in a new session, sending only the missing parts', async () => {
    const { url } = await configureProxy({ bandwidth: 16 * MiB });
    const { token } = await mintToken(600);
    const file = makeFile(21 * MiB, 'reload.mp4', 41);
    const first = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK });
    first.start(file);
    // Two parts accepted, then the page "goes away" (the session is dropped mid-part 3).
    await progressWhere(first, (p) => p.part >= 3);
    first.pause();
    expect(records()).to.have.length(1);
    const saved = JSON.parse(localStorage.getItem(records()[0])!);
    expect(saved.done).to.deep.equal([1, 2]);
    expect(saved.chunkSize).to.equal(CHUNK);
    expect(JSON.stringify(saved)).to.not.contain(token);
    const before = uploads(await proxyLog()).length;

    // Same name, size, type and lastModified: a new File object, as after a reload.
    const again = makeFile(21 * MiB, 'reload.mp4', 41);
    const second = new UploadSession({ token, apiUrl: url, chunkSize: 8 * MiB });
    const events = record(second);
    second.start(again);
    const { state, error } = await settled(second);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(events.starts[0].resumedBytes).to.equal(2 * CHUNK);
    expect(events.progress[0].uploadedBytes).to.be.at.least(2 * CHUNK);
    const sent = uploads(await proxyLog()).slice(before);
    expect(sent.map(partOf)).to.deep.equal([3, 4, 5]);
    expect(sent.every((e) => e.status === 201)).to.equal(true);
    expect(second.video!.videoId).to.equal(saved.videoId);
    expect((await sourceSha256(saved.videoId)).sha256).to.equal(await sha256(file));
    // Done: the record is gone.
    expect(records()).to.deep.equal([]);
  });

  it('starts over once when the server no longer knows the recorded video', async () => {
    const { url } = await configureProxy({});
    const { token } = await mintToken(600);
    const file = makeFile(11 * MiB, 'forgotten.mp4', 43);
    new ResumeStore(localStorage).save(file, url, {
      videoId: 'vi0000000000000000000404',
      chunkSize: CHUNK,
      parts: 3,
      done: [1],
    });
    const session = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK });
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(session.video!.videoId).to.not.equal('vi0000000000000000000404');
    const sent = uploads(await proxyLog());
    expect(sent[0].status).to.be.within(400, 499);
    expect(sent.slice(1).map(partOf)).to.deep.equal([1, 2, 3]);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
    expect(records()).to.deep.equal([]);
  });

  it('starts over for another file, another API, or a record older than 24 h', async () => {
    let now = Date.now();
    const store = new ResumeStore(localStorage, () => now);
    const file = makeFile(12 * MiB, 'a.mp4', 1);
    store.save(file, 'http://api.one', { videoId: 'vi0000000000000000000001', chunkSize: CHUNK, parts: 3, done: [1] });
    expect(store.get(file, 'http://api.one')!.done).to.deep.equal([1]);
    expect(store.get(file, 'http://api.two')).to.equal(null);
    expect(store.get(makeFile(12 * MiB, 'a.mp4', 1, 1_700_000_000_001), 'http://api.one')).to.equal(null);
    expect(store.get(makeFile(12 * MiB, 'b.mp4', 1), 'http://api.one')).to.equal(null);
    now += RESUME_MAX_AGE_MS + 1;
    expect(store.get(file, 'http://api.one')).to.equal(null);
    expect(records()).to.deep.equal([]);
  });

  it('sweeps stale records and survives a storage that throws', async () => {
    const now = Date.now();
    localStorage.setItem(`${RESUME_KEY_PREFIX}old`, JSON.stringify({ v: 1, updatedAt: now - RESUME_MAX_AGE_MS - 1 }));
    localStorage.setItem(`${RESUME_KEY_PREFIX}broken`, '{');
    new ResumeStore(localStorage).sweep();
    expect(records()).to.deep.equal([]);
    const throwing = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {
        throw new Error('blocked');
      },
    };
    const store = new ResumeStore(throwing);
    const file = makeFile(1024);
    expect(store.get(file, 'x')).to.equal(null);
    store.save(file, 'x', { videoId: 'vi', chunkSize: CHUNK, parts: 1, done: [] });
    store.clear(file, 'x');
  });

  it('does not record anything with resume: false', async () => {
    const { url } = await configureProxy({ bandwidth: 32 * MiB });
    const { token } = await mintToken(600);
    const session = new UploadSession({ token, apiUrl: url, chunkSize: CHUNK, resume: false });
    const events = record(session);
    session.start(makeFile(11 * MiB, 'no-resume.mp4', 42));
    await progressWhere(session, (p) => p.part >= 2);
    expect(records()).to.deep.equal([]);
    expect((await settled(session)).state).to.equal('complete');
    expect(events.progress.length).to.be.greaterThan(0);
  });
});
