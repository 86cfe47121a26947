/**
 * No upload lost: a leave-page warning only while an upload runs, the screen kept on (through a
 * test-provided `navigator.wakeLock`), the wait for a lost connection, and the upload a reload interrupted.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadStartEvent } from '../../../src/element/index.js';
import { clearResumeRecords, MiB, part, pick, text, tokenUrl, videoFile } from './helpers.js';

/** Whether leaving the page now would be questioned. */
function leaveIsQuestioned(): boolean {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}

class FakeSentinel extends EventTarget {
  released = false;
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.dispatchEvent(new Event('release'));
  }
}

/** A Screen Wake Lock the test can watch, in place of the browser's (which headless engines refuse). */
function fakeWakeLock(): { locks: FakeSentinel[]; held(): number; restore(): void } {
  const locks: FakeSentinel[] = [];
  Object.defineProperty(navigator, 'wakeLock', {
    configurable: true,
    value: {
      request: async (type: string) => {
        if (type !== 'screen') throw new TypeError(type);
        const lock = new FakeSentinel();
        locks.push(lock);
        return lock;
      },
    },
  });
  return {
    locks,
    held: () => locks.filter((lock) => !lock.released).length,
    restore: () => delete (navigator as { wakeLock?: unknown }).wakeLock,
  };
}

function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, value: state });
  document.dispatchEvent(new Event('visibilitychange'));
  if (state === 'visible') delete (document as { visibilityState?: unknown }).visibilityState;
}

describe('<video-uploader> keeps an upload alive', () => {
  beforeEach(clearResumeRecords);

  it('warns before leaving the page only while an upload runs', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${await tokenUrl({ bandwidth: 1 * MiB })}></video-uploader>`,
    );
    expect(leaveIsQuestioned(), 'idle').to.equal(false);
    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('leave.mp4', 2 * MiB));
    await waitUntil(() => el.state === 'uploading', 'uploading', { timeout: 10_000 });
    await el.updateComplete;
    expect(leaveIsQuestioned(), 'uploading').to.equal(true);
    el.pause();
    await el.updateComplete;
    expect(leaveIsQuestioned(), 'paused').to.equal(false);
    el.resume();
    await waitUntil(() => el.state === 'uploading', 'uploading again', { timeout: 10_000 });
    await el.updateComplete;
    expect(leaveIsQuestioned(), 'resumed').to.equal(true);
    await completed;
    await el.updateComplete;
    expect(leaveIsQuestioned(), 'complete').to.equal(false);
  });

  it('keeps the screen on while uploading; lets it go on pause, when hidden and at the end', async () => {
    const wakeLock = fakeWakeLock();
    try {
      const el = await fixture<VideoUploader>(
        // About 8 s of upload: under load, a faster one could end before the pause below, and never be resumed.
        html`<video-uploader token-url=${await tokenUrl({ bandwidth: MiB / 2 })}></video-uploader>`,
      );
      expect(wakeLock.locks).to.have.length(0);
      const completed = oneEvent(el, 'video-upload-complete');
      el.start(videoFile('awake.mp4', 4 * MiB));
      await waitUntil(() => wakeLock.held() === 1, 'a lock while uploading', { timeout: 10_000 });
      el.pause();
      expect(el.state, 'paused before the upload ended').to.equal('paused');
      await waitUntil(() => wakeLock.held() === 0, 'released on pause', { timeout: 10_000 });
      el.resume();
      await waitUntil(() => wakeLock.held() === 1, 'taken again on resume', { timeout: 10_000 });
      setVisibility('hidden');
      await waitUntil(() => wakeLock.held() === 0, 'released when hidden', { timeout: 10_000 });
      setVisibility('visible');
      await waitUntil(() => wakeLock.held() === 1, 'taken again when visible', { timeout: 10_000 });
      await completed;
      await waitUntil(() => wakeLock.held() === 0, 'released at the end', { timeout: 10_000 });
      expect(wakeLock.locks.length).to.equal(3);
    } finally {
      wakeLock.restore();
    }
  });

  it('offline: says it waits for the connection, stops the clock, and continues by itself', async () => {
    const bandwidth = 2 * MiB;
    // The first part goes through; every later request is refused, as with no connection.
    const url = await tokenUrl({
      bandwidth,
      rules: [{ path: '/upload', skip: 1, times: 0, action: { type: 'reset' } }],
    });
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${url} chunk-size=${5 * MiB}></video-uploader>`,
    );
    const errors: unknown[] = [];
    el.addEventListener('video-upload-error', (event) => errors.push(event.detail.error));
    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('offline.mp4', 11 * MiB));
    await waitUntil(() => el.state === 'uploading', 'under way', { timeout: 20_000 });
    try {
      // The connection goes: the next part is refused before the browser notices…
      const refused = async (): Promise<boolean> =>
        (await executeServerCommand<Array<{ fault: string }>, undefined>('fault-proxy-log')).some(
          (entry) => entry.fault === 'reset',
        );
      for (let i = 0; i < 80 && !(await refused()); i++) await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await refused(), 'a refused connection').to.equal(true);
      // …then it says it is offline: the element waits for the connection, without spending its retries.
      window.dispatchEvent(new Event('offline'));
      await el.updateComplete;
      expect(text(el, 'status')).to.match(/^\d+% · Waiting for the connection… The upload continues by itself\.$/);
      await expect(el).to.be.accessible();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(errors).to.deep.equal([]);
      expect(el.state).to.not.equal('error');
      // The clock and the speed stop.
      expect(text(el, 'status')).to.match(/^\d+% · Waiting for the connection/);
      expect(text(el, 'status')).not.to.match(/\/s|left/);
      await executeServerCommand('fault-proxy', { bandwidth, rules: [] });
    } finally {
      window.dispatchEvent(new Event('online'));
    }
    await completed;
    expect(errors).to.deep.equal([]);
    expect(el.state).to.equal('complete');
  });

  it('after a reload, names the interrupted upload and its percent; the same file continues it', async () => {
    const url = await tokenUrl({ bandwidth: 4 * MiB });
    const file = videoFile('interrupted.mp4', 11 * MiB);
    const first = await fixture<VideoUploader>(
      html`<video-uploader token-url=${url} chunk-size=${5 * MiB}></video-uploader>`,
    );
    first.start(file);
    await waitUntil(() => (first.progress?.percent ?? 0) > 50, 'one part in', { timeout: 20_000 });
    // The tab closes mid-upload: what remains is the resume record in localStorage.
    first.pause();
    first.remove();

    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${url} chunk-size=${5 * MiB}></video-uploader>`,
    );
    // Named once the engine's chunk (which reads the resume records) is there.
    await waitUntil(() => part(el, 'interrupted'), 'the interrupted upload named');
    expect(text(el, 'interrupted')).to.match(
      /^The upload of interrupted\.mp4 was interrupted at (45|90)%\. Choose the same file to continue where it stopped\.$/,
    );
    await expect(el).to.be.accessible();
    const started = oneEvent(el, 'video-upload-start') as Promise<VideoUploadStartEvent>;
    const completed = oneEvent(el, 'video-upload-complete');
    pick(el, [file]);
    await el.updateComplete;
    expect(part(el, 'interrupted')).to.equal(null);
    expect((await started).detail.resumedBytes).to.be.at.least(5 * MiB);
    await completed;
    await el.updateComplete;
    expect(part(el, 'interrupted')).to.equal(null);
  });
});
