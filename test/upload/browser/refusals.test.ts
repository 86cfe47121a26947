import { expect } from '@open-wc/testing';
import { UploadSession } from '../../../src/upload/index.js';
import type { FaultConfig, ProxyLogEntry } from '../../support/fault-proxy.js';
import {
  CHUNK,
  clearResumeRecords,
  configureProxy,
  deleteToken,
  makeFile,
  MiB,
  mintingProvider,
  partOf,
  progressWhere,
  proxyLog,
  record,
  settled,
  sha256,
  sourceSha256,
  uploads,
} from './helpers.js';

/**
 * A token revoked in the middle of an upload: the video API refuses the next request with 401 as soon as
 * it has read the headers, before the body. A proxy that reads the rest of the body before answering (the
 * default of the fault proxy, and of most proxies) lets every browser read the 401. A server or proxy that
 * answers at once and closes the connection (`refusals: 'close'`) reaches Firefox and WebKit as a network
 * error: the engine must still get a fresh token, or it would resend the part with the dead one until its
 * retries run out.
 */
const MODES: ReadonlyArray<[NonNullable<FaultConfig['refusals']>, string]> = [
  ['drain', 'read after the body'],
  ['close', 'sent early on a connection closed at once'],
];

/** The refused requests all carried the revoked token; nothing was sent with it after the fresh one came. */
function expectRefreshedOnce(sent: ProxyLogEntry[], minted: string[], mode: string): void {
  expect(minted, 'tokens fetched').to.have.length(2);
  const refused = sent.filter((e) => e.status === 401);
  expect(refused.length, 'refused requests').to.be.at.least(1);
  expect(refused.every((e) => e.token === minted[0])).to.equal(true);
  expect(refused.every((e) => e.fault === `refusal-${mode}`)).to.equal(true);
  const firstFresh = sent.findIndex((e) => e.token === minted[1]);
  expect(firstFresh).to.be.above(0);
  expect(sent.slice(firstFresh).every((e) => e.token === minted[1])).to.equal(true);
}

describe('refusals sent before the body is read', () => {
  beforeEach(clearResumeRecords);

  for (const [mode, how] of MODES) {
    it(`apivideo: refreshes once on a 401 ${how}, and resends the part`, async () => {
      const { url } = await configureProxy({ bandwidth: 12 * MiB, refusals: mode });
      const { minted, tokenProvider } = mintingProvider(url, 600);
      const session = new UploadSession({ tokenProvider, chunkSize: CHUNK });
      const file = makeFile(21 * MiB, `refused-${mode}.mp4`, 71);
      session.start(file);
      await progressWhere(session, (p) => p.part >= 2);
      expect((await deleteToken(minted[0].token)).status).to.equal(204);
      const { state, error } = await settled(session);
      expect(error?.message ?? null).to.equal(null);
      expect(state).to.equal('complete');
      const sent = uploads(await proxyLog());
      const tokens = minted.map((g) => g.token);
      expectRefreshedOnce(sent, tokens, mode);
      // The refused part went again, with the fresh token, and every part landed once.
      const refusedPart = partOf(sent.find((e) => e.status === 401)!);
      expect(sent.filter((e) => partOf(e) === refusedPart && e.status === 201).map((e) => e.token)).to.deep.equal([
        tokens[1],
      ]);
      expect(sent.filter((e) => e.status === 201).map(partOf)).to.deep.equal([1, 2, 3, 4, 5]);
      if (mode === 'drain') {
        // The proxy read the refused request's body to the end before answering.
        const partBytes = Math.min(CHUNK, file.size - (refusedPart - 1) * CHUNK);
        expect(sent.find((e) => e.status === 401)!.bodyBytes).to.be.above(partBytes);
      }
      expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
    });

    it(`tus: refreshes once on a 401 ${how}, and continues from the server offset`, async () => {
      const { url } = await configureProxy({ bandwidth: 12 * MiB, refusals: mode });
      const { minted, tokenProvider } = mintingProvider(url, 600);
      const session = new UploadSession({ protocol: 'tus', tokenProvider, chunkSize: CHUNK });
      const file = makeFile(21 * MiB, `tus-refused-${mode}.mp4`, 72);
      session.start(file);
      await progressWhere(session, (p) => p.uploadedBytes >= CHUNK);
      expect((await deleteToken(minted[0].token)).status).to.equal(204);
      const { state, error } = await settled(session);
      expect(error?.message ?? null).to.equal(null);
      expect(state).to.equal('complete');
      const sent = uploads(await proxyLog());
      expectRefreshedOnce(
        sent,
        minted.map((g) => g.token),
        mode,
      );
      // Only PATCHes were refused: the request after the refusal already carried the fresh token.
      expect(sent.filter((e) => e.status === 401).every((e) => e.method === 'PATCH')).to.equal(true);
      expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
    });
  }

  it('apivideo: fetches one fresh token, not one per retry, when a part is cut off at once again and again', async () => {
    // Every cut looks like a refusal the browser could not read (quick, body not sent): one refresh for the
    // stretch, then plain retries (a fresh token that fails the same way says the token is not the cause).
    const { url } = await configureProxy({ rules: [{ part: 2, times: 4, action: { type: 'reset' } }] });
    const { minted, tokenProvider } = mintingProvider(url, 600);
    const session = new UploadSession({ tokenProvider, chunkSize: CHUNK });
    const events = record(session);
    const file = makeFile(11 * MiB, 'cut-off.mp4', 73);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    // The browser may resend a request cut off before any answer by itself; the engine saw two cuts or more.
    expect(events.retries.length).to.be.at.least(2);
    expect(events.retries.every((r) => r.error.code === 'network')).to.equal(true);
    expect(minted).to.have.length(2);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });

  it('tus: fetches one fresh token, not one per retry, when a PATCH is cut off at once again and again', async () => {
    const { url } = await configureProxy({
      rules: [{ method: 'PATCH', skip: 1, times: 4, action: { type: 'reset' } }],
    });
    const { minted, tokenProvider } = mintingProvider(url, 600);
    const session = new UploadSession({ protocol: 'tus', tokenProvider, chunkSize: CHUNK });
    const events = record(session);
    const file = makeFile(11 * MiB, 'tus-cut-off.mp4', 74);
    session.start(file);
    const { state, error } = await settled(session);
    expect(error?.message ?? null).to.equal(null);
    expect(state).to.equal('complete');
    expect(events.retries.length).to.be.at.least(2);
    expect(minted).to.have.length(2);
    expect((await sourceSha256(session.video!.videoId)).sha256).to.equal(await sha256(file));
  });
});
