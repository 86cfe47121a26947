import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadErrorEvent } from '../../../src/element/index.js';
import { drop, fixtureVideo, part, pick, text, videoApi, videoFile } from './helpers.js';

async function fixtureFile(name: string, type: string): Promise<File> {
  const response = await fetch(`/test/fixtures/${name}`);
  return new File([await response.blob()], name, { type });
}

describe('<video-uploader> refuses files before uploading them', () => {
  it('is accessible with limits shown', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader max-file-size="2000000" max-duration="600"></video-uploader>`,
    );
    await expect(el).to.be.accessible();
    expect(text(el, 'dropzone')).to.contain('Up to 2 MB').and.to.contain('10 min');
  });

  it('refuses a file that is not a video (accept), with the file-type code and what to do', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token="to1234567890123456789012"></video-uploader>`);
    const events: string[] = [];
    el.addEventListener('video-upload-select', () => events.push('select'));
    el.addEventListener('video-upload-start', () => events.push('start'));
    const refused = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    drop(el, [new File(['%PDF-1.4'], 'report.pdf', { type: 'application/pdf' })]);
    const { detail } = await refused;
    expect(detail.file?.name).to.equal('report.pdf');
    expect(detail.error.code).to.equal('file-type');
    expect(detail.error.retryable).to.equal(false);
    expect(detail.error.name).to.equal('UploadError');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(el.error).to.equal(detail.error);
    // Words for the visitor, never the MIME pattern; the pattern is in the developer's message.
    expect(text(el, 'error')).to.equal(
      'This file is not a video that can be uploaded here. Choose another video file.',
    );
    expect(detail.error.message).to.contain('accept="video/*"');
    // The drop zone stays, so that another file can be chosen at once.
    expect(part(el, 'button')).to.exist;
    expect(events).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('refuses what is plainly not a video by its first bytes, whatever its name, in words', async () => {
    const { url } = await videoApi();
    const el = await fixture<VideoUploader>(
      html`<video-uploader api-url=${url} token="to1234567890123456789012"></video-uploader>`,
    );
    await expect(el).to.be.accessible();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]);
    const cases: Array<[File, RegExp]> = [
      [new File(['hello\n'], 'holiday.mp4', { type: 'video/mp4' }), /is a text file/],
      [new File([png], 'holiday.mov', { type: 'video/quicktime' }), /is a PNG image/],
      [new File([zip], 'holiday.webm', { type: 'video/webm' }), /is a ZIP archive/],
    ];
    for (const [file, said] of cases) {
      const refused = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
      drop(el, [file]);
      const { detail } = await refused;
      expect(detail.error.code, file.name).to.equal('file-type');
      expect(detail.error.message, file.name).to.match(said);
      await el.updateComplete;
      expect(text(el, 'error')).to.equal('This file does not contain a video. Choose a video file.');
    }
    await expect(el).to.be.accessible();
    // Real MP4 and WebM files pass the look.
    el.addEventListener('video-upload-select', (event) => event.preventDefault());
    for (const file of [await fixtureFile('sample.mp4', 'video/mp4'), await fixtureVideo(1.2)]) {
      const selected = oneEvent(el, 'video-upload-select');
      drop(el, [file]);
      expect((await selected).detail.file).to.equal(file);
    }
  });

  it('reads accept as <input accept> does: extensions and exact types', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader accept=".mov, video/webm" token="to1234567890123456789012"></video-uploader>`,
    );
    const refused = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    pick(el, [videoFile('clip.mp4')]);
    expect((await refused).detail.error.message).to.contain('.mov, video/webm');
    const selected = oneEvent(el, 'video-upload-select');
    el.addEventListener('video-upload-select', (event) => event.preventDefault(), { once: true });
    pick(el, [videoFile('holiday.MOV', 1000, '')]);
    expect((await selected).detail.file.name).to.equal('holiday.MOV');
  });

  it('refuses a file larger than max-file-size with its size and the limit', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader max-file-size="100000" token="to1234567890123456789012"></video-uploader>`,
    );
    const refused = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    drop(el, [videoFile('big.mp4', 250_000)]);
    const { detail } = await refused;
    expect(detail.error.code).to.equal('file-too-large');
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('This file is 250 kB, larger than the 100 kB allowed. Choose a smaller file.');
    // The refusal describes the button, so that a screen reader hears it when it comes back to it.
    expect(part(el, 'button')!.getAttribute('aria-describedby')).to.contain('refusal');
  });

  it('refuses a video longer than max-duration, read from the file itself', async () => {
    const recording = await fixtureVideo(2.2);
    const el = await fixture<VideoUploader>(
      html`<video-uploader max-duration="1" token="to1234567890123456789012"></video-uploader>`,
    );
    const refused = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    drop(el, [recording]);
    const { detail } = await refused;
    expect(detail.error.code).to.equal('file-too-large');
    await el.updateComplete;
    expect(text(el, 'error')).to.match(
      /^This video lasts 2 sec, longer than the 1 sec allowed\. Choose a shorter video\.$/,
    );
  });

  it('lets through a video within max-duration and reports its duration on select', async () => {
    const recording = await fixtureVideo(1.2);
    const el = await fixture<VideoUploader>(
      html`<video-uploader max-duration="5" token="to1234567890123456789012"></video-uploader>`,
    );
    el.addEventListener('video-upload-select', (event) => event.preventDefault());
    const selected = oneEvent(el, 'video-upload-select');
    drop(el, [recording]);
    const { detail } = await selected;
    expect(detail.duration).to.be.within(0.8, 2);
    await el.updateComplete;
    expect(el.state).to.equal('idle');
  });

  it('shows the size and duration of a real video while it uploads', async () => {
    const recording = await fixtureVideo(1.2);
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    const completed = oneEvent(el, 'video-upload-complete');
    drop(el, [recording]);
    // The poster frame's size may join the facts in the same update as the duration, or after it.
    await waitUntil(() => /^[\d.]+ kB · 1 sec( · \d+×\d+)?$/.test(text(el, 'file-meta')), 'the size and duration');
    await completed;
    expect(text(el, 'file-meta')).to.match(/^[\d.]+ kB · 1 sec( · \d+×\d+)?$/);
  });
});
