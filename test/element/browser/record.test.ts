/** Recording with `<video-uploader sources="file camera screen">` against the real local video API. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadRecordStopEvent } from '../../../src/element/index.js';
import type { Video } from '../../../src/protocol/index.js';
import { part, text } from './helpers.js';

/** The local API under test accepts 64 KiB parts (test/support/wtr-video-api.mjs). */
const recorderOptions = { partSize: 64 * 1024, allowSmallParts: true };

/**
 * WebKitGTK's MediaRecorder (GStreamer) on this Debian records nothing (one empty blob at stop) and
 * WebKitWebDriver offers no fake camera: the recording tests cannot run there. What can be checked
 * everywhere is that the Record buttons are hidden when the browser cannot record.
 */
const cannotRecord = /AppleWebKit/.test(navigator.userAgent) && !/Chrome\/|Firefox\//.test(navigator.userAgent);

const sourceSha256 = (videoId: string): Promise<{ sha256?: string; size?: number }> =>
  executeServerCommand('source-sha256', { videoId });

async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const button = (el: VideoUploader, name: string): HTMLButtonElement => {
  const found = part<HTMLButtonElement>(el, name);
  if (!found) throw new Error(`no ${name} in ${el.shadowRoot!.innerHTML.slice(0, 400)}`);
  return found;
};

/** A screen that a test provides: a canvas that keeps changing, captured as a stream. */
function fakeScreen(): { restore(): void } {
  const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
  const g = canvas.getContext('2d')!;
  let frame = 0;
  const timer = setInterval(() => {
    g.fillStyle = `hsl(${(frame++ * 7) % 360} 70% 50%)`;
    g.fillRect(0, 0, 320, 180);
    g.fillStyle = '#fff';
    g.fillText(String(frame), 10, 20);
  }, 1000 / 15);
  const stream = canvas.captureStream(15);
  const original = navigator.mediaDevices.getDisplayMedia;
  navigator.mediaDevices.getDisplayMedia = async () => stream;
  return {
    restore: () => {
      clearInterval(timer);
      stream.getTracks().forEach((t) => t.stop());
      navigator.mediaDevices.getDisplayMedia = original;
    },
  };
}

describe('<video-uploader> records', function () {
  this.timeout(120_000);

  it('hides the Record buttons where the browser cannot record, and shows only the file button by default', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    expect(part(el, 'record')).to.equal(null);
    const original = Object.getOwnPropertyDescriptor(window, 'MediaRecorder')!;
    // No MediaRecorder: as in browsers that cannot record.
    Object.defineProperty(window, 'MediaRecorder', { configurable: true, writable: true, value: undefined });
    try {
      const none = await fixture<VideoUploader>(html`<video-uploader sources="file camera screen"></video-uploader>`);
      expect(part(none, 'record')).to.equal(null);
      expect(part(none, 'button')!.hidden).to.equal(false);
    } finally {
      Object.defineProperty(window, 'MediaRecorder', original);
    }
  });

  describe('where the browser can record', function () {
    before(function () {
      if (cannotRecord) this.skip();
    });

    it('records the camera while uploading it, then plays it back and completes with the whole recording', async () => {
      const el = await fixture<VideoUploader>(
        html`<video-uploader
          token-url="/__token"
          sources="file camera"
          .recorderOptions=${recorderOptions}
        ></video-uploader>`,
      );
      expect(part(el, 'button')!.hidden).to.equal(false);
      button(el, 'record-camera').click();
      await waitUntil(() => part(el, 'record-button'), 'set-up view', { timeout: 15_000 });
      const preview = part<HTMLVideoElement>(el, 'preview')!;
      expect(preview.muted).to.equal(true);
      expect(preview.srcObject).to.be.instanceOf(MediaStream);
      // Several fake microphones: a picker; one fake camera: none.
      const started = oneEvent(el, 'video-upload-record-start');
      button(el, 'record-button').click();
      expect((await started).detail.mimeType).to.match(/^video\/(webm|mp4)/);
      await waitUntil(() => /0:0[2-9]|0:[1-9]\d/.test(text(el, 'timer')), 'timer runs', { timeout: 10_000 });
      // Parts go while recording (the encoder may take a few seconds to give its first bytes on a busy machine).
      await waitUntil(() => /^[1-9]/.test(text(el, 'status')), 'bytes sent', { timeout: 45_000 });
      const stopped = oneEvent(el, 'video-upload-record-stop') as Promise<VideoUploadRecordStopEvent>;
      const completed = oneEvent(el, 'video-upload-complete');
      button(el, 'stop-button').click();
      const { detail } = await stopped;
      expect(detail.duration).to.be.at.least(2);
      await waitUntil(() => part(el, 'playback'), 'playback after stop');
      const { detail: done } = await completed;
      expect(el.value).to.equal(done.video.videoId);
      expect(text(el, 'done')).to.contain('Upload complete');
      const stored = await sourceSha256(done.video.videoId);
      expect(stored.sha256).to.equal(await sha256(done.file));
      await expect(el).to.be.accessible();
    });

    it('records a screen the page provides, and stops when sharing ends', async () => {
      const screen = fakeScreen();
      try {
        const el = await fixture<VideoUploader>(
          html`<video-uploader
            token-url="/__token"
            sources="screen"
            .recorderOptions=${recorderOptions}
          ></video-uploader>`,
        );
        expect(part(el, 'button')!.hidden).to.equal(true);
        const completed = oneEvent(el, 'video-upload-complete');
        button(el, 'record-screen').click();
        await waitUntil(() => part(el, 'stop-button'), 'recording', { timeout: 15_000 });
        await waitUntil(() => /sent/.test(text(el, 'status')), 'bytes recorded', { timeout: 45_000 });
        await new Promise((r) => setTimeout(r, 1000));
        button(el, 'stop-button').click();
        const { detail } = await completed;
        const stored = await sourceSha256(detail.video.videoId);
        expect(stored.size, 'stored bytes').to.equal(detail.file.size);
        expect(stored.sha256).to.equal(await sha256(detail.file));
      } finally {
        screen.restore();
      }
    });

    it('sends the title typed before recording with the token request, and says when the video can be watched', async () => {
      const screen = fakeScreen();
      try {
        const el = await fixture<VideoUploader>(
          html`<video-uploader
            token-url="/__issuer?create=1"
            sources="screen"
            fields="title"
            .recorderOptions=${recorderOptions}
          ></video-uploader>`,
        );
        const title = part<HTMLInputElement>(el, 'title-input')!;
        title.value = '  Screen tour ';
        title.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
        const completed = oneEvent(el, 'video-upload-complete');
        const playable = oneEvent(el, 'video-upload-playable');
        button(el, 'record-screen').click();
        await waitUntil(() => part(el, 'stop-button'), 'recording', { timeout: 15_000 });
        await waitUntil(() => /sent/.test(text(el, 'status')), 'bytes recorded', { timeout: 45_000 });
        button(el, 'stop-button').click();
        const { detail } = await completed;
        const video = await executeServerCommand<Video, { videoId: string }>('get-video', {
          videoId: detail.video.videoId,
        });
        expect(video.title).to.equal('Screen tour');
        await el.updateComplete;
        expect(text(el, 'playable-status')).to.equal('Processing the video…');
        const ready = (await playable) as Event & { detail: { video: Video; via: string; file: File } };
        expect(ready.detail.video.videoId).to.equal(detail.video.videoId);
        expect(ready.detail.file).to.equal(detail.file);
        await el.updateComplete;
        expect(text(el, 'playable-status')).to.equal('Ready to watch');
      } finally {
        screen.restore();
      }
    });

    it('stops at max-duration, with a warning before', async () => {
      const el = await fixture<VideoUploader>(
        html`<video-uploader
          token-url="/__token"
          sources="camera"
          max-duration="3"
          .recorderOptions=${recorderOptions}
        ></video-uploader>`,
      );
      button(el, 'record-camera').click();
      await waitUntil(() => part(el, 'record-button'), 'set-up view', { timeout: 15_000 });
      const stopped = oneEvent(el, 'video-upload-record-stop') as Promise<VideoUploadRecordStopEvent>;
      button(el, 'record-button').click();
      await waitUntil(() => /Recording stops in [0-9] s/.test(text(el, 'warning')), 'warning', { timeout: 5000 });
      const { detail } = await stopped;
      expect(detail.duration).to.be.within(2.9, 4);
      expect(el.shadowRoot!.textContent).to.contain('reached the time limit');
    });

    it('says so when the visitor blocks the camera', async () => {
      const original = navigator.mediaDevices.getUserMedia;
      // Headless Chromium and Firefox grant the fake camera without a prompt: the refusal is the browser's own error.
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      try {
        const el = await fixture<VideoUploader>(
          html`<video-uploader token-url="/__token" sources="camera"></video-uploader>`,
        );
        button(el, 'record-camera').click();
        await waitUntil(() => part(el, 'error'), 'message', { timeout: 5000 });
        expect(text(el, 'error')).to.contain('access was blocked');
        expect(part(el, 'error')!.getAttribute('role')).to.equal('alert');
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('none', 'NotFoundError'));
        button(el, 'retry-button').click();
        await waitUntil(() => text(el, 'error').includes('No camera'), 'no camera message', { timeout: 5000 });
        button(el, 'cancel-button').click();
        await el.updateComplete;
        expect(part(el, 'record-camera')).to.not.equal(null);
      } finally {
        navigator.mediaDevices.getUserMedia = original;
      }
    });
  });
});
