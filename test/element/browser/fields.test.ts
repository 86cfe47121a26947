/** Title and description typed before the file: they reach the issuer and the video it creates. */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import { loadLocale, type VideoUploadCompleteEvent, type VideoUploader } from '../../../src/element/index.js';
import type { Video } from '../../../src/protocol/index.js';
import { part, pick, videoFile } from './helpers.js';

function type(el: VideoUploader, name: string, value: string): void {
  const input = part<HTMLInputElement | HTMLTextAreaElement>(el, `${name}-input`)!;
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
}

describe('<video-uploader> fields', () => {
  it('labels a title and a description, accessible, and none without fields', async () => {
    const plain = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    expect(part(plain, 'fields')).to.equal(null);
    await loadLocale('fr');
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__token" fields="title description" lang="fr"></video-uploader>`,
    );
    const title = part<HTMLInputElement>(el, 'title-input')!;
    const description = part<HTMLTextAreaElement>(el, 'description-input')!;
    expect(title.closest('label')!.textContent!.trim()).to.equal('Titre');
    expect(description.tagName).to.equal('TEXTAREA');
    expect(title.maxLength).to.equal(256);
    expect(description.maxLength).to.equal(2048);
    await expect(el).to.be.accessible();
  });

  it('sends what was typed with the token request: the issuer titles and describes the video it creates', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__issuer?create=1" fields="title description"></video-uploader>`,
    );
    type(el, 'title', '  Welcome to the team ');
    type(el, 'description', 'Recorded on day one.\nSecond line.');
    const completed = oneEvent(el, 'video-upload-complete') as Promise<VideoUploadCompleteEvent>;
    pick(el, [videoFile('day-one.mp4', 120_000)]);
    const { detail } = await completed;
    const video = await executeServerCommand<Video, { videoId: string }>('get-video', {
      videoId: detail.video.videoId,
    });
    expect(video.title).to.equal('Welcome to the team');
    expect(video.description).to.equal('Recorded on day one.\nSecond line.');
    // Upload another: the next video starts with empty fields.
    el.reset();
    await el.updateComplete;
    expect(part<HTMLInputElement>(el, 'title-input')!.value).to.equal('');
  });

  it('without a typed title, the video is titled after the file', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__issuer?create=1" fields="title"></video-uploader>`,
    );
    const completed = oneEvent(el, 'video-upload-complete') as Promise<VideoUploadCompleteEvent>;
    pick(el, [videoFile('untitled-by-visitor.mp4', 80_000)]);
    const { detail } = await completed;
    const video = await executeServerCommand<Video, { videoId: string }>('get-video', {
      videoId: detail.video.videoId,
    });
    expect(video.title).to.equal('untitled-by-visitor.mp4');
  });
});
