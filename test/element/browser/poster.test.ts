/** A frame of the picked file beside its name, with its size; the icon where the browser cannot decode it. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/element/index.js';
import type { VideoUploader } from '../../../src/element/index.js';
import { fixtureVideo, MiB, part, pick, text, tokenUrl, videoFile } from './helpers.js';

describe('<video-uploader> poster', () => {
  it('shows a frame of a video the browser decodes, and its size, while it uploads', async function () {
    if (!document.createElement('video').canPlayType('video/webm; codecs="vp8"')) this.skip();
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${await tokenUrl({ bandwidth: 64 * 1024 })}></video-uploader>`,
    );
    pick(el, [await fixtureVideo(2.2, 'clip.webm')]);
    await waitUntil(() => part(el, 'poster'), 'a poster frame', { timeout: 10_000 });
    const poster = part<HTMLImageElement>(el, 'poster')!;
    await waitUntil(() => poster.complete && poster.naturalWidth > 0, 'the frame is an image');
    expect([poster.naturalWidth, poster.naturalHeight]).to.deep.equal([64, 48]);
    expect(poster.alt).to.equal('');
    expect(text(el, 'file-meta')).to.contain('64×48');
    await expect(el).to.be.accessible();
    el.cancel();
  });

  it('keeps the video icon for a file the browser cannot decode, and uploads it all the same', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    const completed = oneEvent(el, 'video-upload-complete');
    pick(el, [videoFile('hevc-elsewhere.mp4', 1 * MiB)]);
    await completed;
    // The reader gives up within its time limit; nothing but the icon shows.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(part(el, 'poster')).to.equal(null);
    expect(el.shadowRoot!.querySelector('[part~=file-info] > svg')).to.not.equal(null);
    expect(text(el, 'file-meta')).to.not.contain('×');
  });
});
