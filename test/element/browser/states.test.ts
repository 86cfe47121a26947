/** An axe check in every state a person can meet: idle, dragover, uploading, paused, error, complete. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/element/index.js';
import type { VideoUploader } from '../../../src/element/index.js';
import { dragOver, drop, part, text, tokenUrl, videoApi, videoFile } from './helpers.js';

const matches = (el: Element, state: string): boolean => el.matches(`:state(${state})`);

describe('<video-uploader> states', () => {
  it('idle: a drop zone with a native file button, accessible', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    await expect(el).to.be.accessible();
    expect(el.state).to.equal('idle');
    expect(matches(el, 'idle')).to.equal(true);
    const button = part(el, 'button')!;
    expect(button.tagName).to.equal('BUTTON');
    expect(button.getAttribute('type')).to.equal('button');
    expect(text(el, 'button')).to.equal('Choose a video');
    const input = el.shadowRoot!.querySelector('input[type=file]') as HTMLInputElement;
    expect(input.accept).to.equal('video/*');
    expect(input.hidden).to.equal(true);
  });

  it('dragover: feedback while a file is dragged over, accessible', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    dragOver(el, [videoFile()]);
    await el.updateComplete;
    expect(matches(el, 'dragover')).to.equal(true);
    expect(text(el, 'label')).to.equal('Drop to upload');
    await expect(el).to.be.accessible();
    part(el, 'dropzone')!.dispatchEvent(new DragEvent('dragleave', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(matches(el, 'dragover')).to.equal(false);
    expect(text(el, 'label')).to.equal('Drag and drop a video here');
  });

  it('uploading and paused: progress with an accessible name, percent, pause/resume/cancel, accessible', async () => {
    const url = await tokenUrl({ bandwidth: 256 * 1024 });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url}></video-uploader>`);
    const progressed = oneEvent(el, 'video-upload-progress');
    drop(el, [videoFile('holiday.mp4', 2 * 1024 * 1024)]);
    await progressed;
    await el.updateComplete;
    expect(el.state).to.equal('uploading');
    expect(matches(el, 'uploading')).to.equal(true);
    const progress = part<HTMLProgressElement>(el, 'progress')!;
    expect(progress.tagName).to.equal('PROGRESS');
    expect(progress.getAttribute('aria-label')).to.equal('Upload of holiday.mp4');
    expect(text(el, 'file-name')).to.equal('holiday.mp4');
    expect(text(el, 'file-meta')).to.equal('2.1 MB');
    expect(text(el, 'status')).to.match(/^\d+%/);
    expect(text(el, 'pause-button')).to.equal('Pause');
    await expect(el).to.be.accessible();

    const paused = oneEvent(el, 'video-upload-pause');
    part<HTMLButtonElement>(el, 'pause-button')!.click();
    await paused;
    await el.updateComplete;
    expect(el.state).to.equal('paused');
    expect(matches(el, 'paused')).to.equal(true);
    expect(matches(el, 'uploading')).to.equal(false);
    expect(text(el, 'status')).to.match(/^Paused · \d+%$/);
    expect(text(el, 'pause-button')).to.equal('Resume');
    expect(Number(progress.value)).to.be.within(0, 100);
    await expect(el).to.be.accessible();
    el.cancel();
  });

  it('error: what happened, what to do, and a retry button, accessible', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__token?mode=fail" retries="0"></video-uploader>`,
    );
    const failed = oneEvent(el, 'video-upload-error');
    el.start(videoFile('clip.mp4'));
    const { detail } = await failed;
    expect(detail.error.code).to.equal('token-request-failed');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(matches(el, 'error')).to.equal(true);
    expect(text(el, 'error')).to.equal(
      'The upload could not be authorized. Try again; if it keeps failing, contact the site.',
    );
    expect(text(el, 'retry-button')).to.equal('Try again');
    await expect(el).to.be.accessible();
  });

  it('error that trying again cannot mend: no retry button (an expired static token)', async () => {
    const { url } = await videoApi();
    const el = await fixture<VideoUploader>(
      html`<video-uploader api-url=${url} token="to0000000000000000000000" retries="0"></video-uploader>`,
    );
    const failed = oneEvent(el, 'video-upload-error');
    el.start(videoFile('clip.mp4'));
    const { detail } = await failed;
    // A static token cannot be refreshed, so a refused one ends the upload.
    expect(detail.error.code).to.equal('token-expired');
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('The upload permission has expired. Reload the page and try again.');
    expect(part(el, 'retry-button')).to.equal(null);
    expect(text(el, 'cancel-button')).to.equal('Cancel');
    await expect(el).to.be.accessible();
  });

  it('complete: a done state with the link to the video player, accessible', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('done.mp4', 300_000));
    const { detail } = await completed;
    await el.updateComplete;
    expect(el.state).to.equal('complete');
    expect(matches(el, 'complete')).to.equal(true);
    expect(el.video).to.deep.equal(detail.video);
    expect(text(el, 'done')).to.contain('Upload complete');
    const link = part<HTMLAnchorElement>(el, 'link')!;
    expect(link.href).to.equal(detail.video.assets.player);
    expect(link.textContent).to.equal('Watch the video');
    expect(text(el, 'another-button')).to.equal('Upload another video');
    await expect(el).to.be.accessible();
    await waitUntil(() => el.shadowRoot!.querySelector('[role=status]')!.textContent === 'done.mp4 uploaded');
  });
});
