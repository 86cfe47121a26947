/**
 * The upload engine arrives in its own module (src/element/engine.ts; the CDN build's
 * video-uploader-engine.min.js), imported when an element connects. The test server holds that module's
 * request until the test lets it through, as a slow network would.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadCompleteEvent } from '../../../src/element/index.js';
import { part, pick, recordEvents, text, videoFile } from './helpers.js';
import { freshEngineLoader, gate, type GateLog } from './engine-gate.js';

describe('<video-uploader> upload engine chunk', () => {
  let el: VideoUploader;

  before(async () => {
    await gate({ mode: 'hold', reset: true });
    await freshEngineLoader();
  });

  after(async () => {
    await gate({ mode: 'open', reset: true });
  });

  it('is requested when the element connects, before any file is picked', async () => {
    await executeServerCommand('token-endpoint-log', { reset: true });
    el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    let log: GateLog = [];
    await waitUntil(async () => (log = await gate({})).length > 0, 'the engine was not requested on connect', {
      timeout: 10_000,
    });
    expect(log).to.have.length(1);
    expect(log[0].path).to.match(/^\/src\/element\/engine\.(ts|js)$/);
    expect(log[0].query).to.match(/^page=\d+$/);
    expect(await executeServerCommand('token-endpoint-log', { reset: false })).to.deep.equal([]);
  });

  it('a file picked before it arrives waits for it, then uploads', async () => {
    const events = recordEvents(el);
    const file = videoFile('early.mp4', 300_000);
    const completed = oneEvent(el, 'video-upload-complete') as Promise<VideoUploadCompleteEvent>;
    pick(el, [file]);
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Still waiting for the engine, whose checks come before the select event: shown as being prepared, no
    // event yet, no token asked for, nothing failed; the visitor can cancel.
    expect(text(el, 'status')).to.equal('early.mp4 · Getting ready…');
    expect(part(el, 'cancel-button')).to.not.equal(null);
    expect(events).to.deep.equal([]);
    expect(await executeServerCommand('token-endpoint-log', { reset: false })).to.deep.equal([]);

    await gate({ mode: 'open' });
    const { detail } = await completed;
    expect(detail.file).to.equal(file);
    expect(detail.video.videoId).to.match(/^vi[0-9A-Za-z]{22}$/);
    expect(events.filter((event) => event.type === 'error')).to.deep.equal([]);
    // The engine's file, fetched and then imported on connect (the import is served from the HTTP cache, or
    // asked for once more), served them both: nothing more was asked for on pick.
    const log = await gate({});
    expect(log.length).to.be.within(1, 2);
    expect(new Set(log.map((entry) => entry.query)).size).to.equal(1);
  });
});
