/** A busy token issuer is waited out, and the README's issuer lets a visitor upload a batch. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader } from '../../../src/element/index.js';
import { clearResumeRecords, recordEvents, text, videoFile } from './helpers.js';

describe('<video-uploader> and a busy issuer', () => {
  beforeEach(clearResumeRecords);

  it('says that it waits on a 429 with Retry-After: 2, accessibly, then uploads', async () => {
    const url = `/__token?mode=busy&wait=2&id=${Math.random()}`;
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} retries="1"></video-uploader>`);
    await expect(el).to.be.accessible();
    const events = recordEvents(el);
    const completed = oneEvent(el, 'video-upload-complete');
    const began = performance.now();
    el.start(videoFile('busy.mp4', 100_000));
    await waitUntil(() => /site is busy/.test(text(el, 'status')), 'the element says it waits', { timeout: 2000 });
    expect(text(el, 'status')).to.equal('The site is busy. Continuing in 2 sec…');
    expect(el.state).to.equal('retrying');
    await expect(el).to.be.accessible();
    // The seconds count down.
    await waitUntil(() => text(el, 'status') === 'The site is busy. Continuing in 1 sec…', 'counts down', {
      timeout: 2000,
    });
    await completed;
    expect(performance.now() - began).to.be.at.least(1900);
    expect(el.state).to.equal('complete');
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).to.have.length(1);
    expect((retries[0].detail.error as { code: string }).code).to.equal('rate-limited');
    expect(events.some((e) => e.type === 'error')).to.equal(false);
  });

  it('uploads a batch of 20 files through the README issuer with its default limit', async () => {
    await executeServerCommand('issuer-log', { reset: true });
    const el = await fixture<VideoUploader>(html`<video-uploader multiple token-url="/__issuer"></video-uploader>`);
    const errors: unknown[] = [];
    el.addEventListener('video-upload-error', (event) => errors.push(event.detail.error));
    const files = Array.from({ length: 20 }, (_, i) => videoFile(`batch-${i + 1}.mp4`, 32 * 1024));
    await el.start(files);
    await waitUntil(() => el.videos.length === 20 || errors.length > 0, 'all 20 uploaded', { timeout: 50_000 });
    expect(errors).to.deep.equal([]);
    expect(el.videos).to.have.length(20);
    const calls = await executeServerCommand<Array<{ status: number; remaining: string | null }>, { reset: boolean }>(
      'issuer-log',
      { reset: true },
    );
    expect(calls.map((c) => c.status)).to.deep.equal(Array(20).fill(200));
    // The default allowance is 60 a minute: the batch leaves 40 of it.
    expect(calls.at(-1)!.remaining).to.equal('40');
  });
});
