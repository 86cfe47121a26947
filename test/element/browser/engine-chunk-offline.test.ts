/**
 * The upload engine's module cannot load (offline, a CDN error, a CSP): the visitor gets a network error, and
 * "Try again" loads the module again once it is reachable. Browsers may keep a failed `import()` failed for its
 * URL (Firefox does), and other chunks import the engine by that URL, so the loader fetches the file first and
 * imports it only once it came (the test server gives the loader the source file's name, as the CDN build gives
 * it its chunk's).
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadCompleteEvent, VideoUploadErrorEvent } from '../../../src/element/index.js';
import { part, pick, text, videoFile } from './helpers.js';
import { freshEngineLoader, gate } from './engine-gate.js';

describe('<video-uploader> when the upload engine cannot load', () => {
  before(async () => {
    await gate({ mode: 'fail', reset: true });
    await freshEngineLoader();
  });

  after(async () => {
    await gate({ mode: 'open', reset: true });
  });

  it('gives a network error, and "Try again" uploads once the engine is reachable', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    await waitUntil(async () => (await gate({})).length > 0, 'the engine was not requested on connect');

    const file = videoFile('offline.mp4', 200_000);
    const failed = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    pick(el, [file]);
    const { detail } = await failed;
    expect(detail.file).to.equal(file);
    expect(detail.error.code).to.equal('network');
    expect(detail.error.retryable).to.equal(true);
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(text(el, 'error')).to.contain('connection');
    expect(part(el, 'retry-button')).to.exist;

    // Still unreachable: "Try again" fails the same way, with a new request for the module.
    const before = (await gate({})).length;
    const failedAgain = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    part<HTMLButtonElement>(el, 'retry-button')!.click();
    expect((await failedAgain).detail.error.code).to.equal('network');
    expect((await gate({})).length).to.be.greaterThan(before);

    await gate({ mode: 'open' });
    await el.updateComplete;
    const completed = oneEvent(el, 'video-upload-complete') as Promise<VideoUploadCompleteEvent>;
    part<HTMLButtonElement>(el, 'retry-button')!.click();
    const done = await completed;
    expect(done.detail.file).to.equal(file);
    expect(done.detail.video.videoId).to.match(/^vi[0-9A-Za-z]{22}$/);
    // Every request was for the engine's one URL: the module map never saw the failures.
    const log = await gate({});
    expect(new Set(log.map((entry) => entry.query)).size).to.equal(1);
    expect(log.at(-1)!.query).to.match(/^page=\d+$/);
  });
});
