/** Uploads through the element to the real local video API: events, drop, refusal by the page, queue, retry, cancel. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadCompleteEvent } from '../../../src/element/index.js';
import { drop, MiB, part, recordEvents, text, tokenUrl, videoFile } from './helpers.js';

describe('<video-uploader> uploads', () => {
  it('is accessible before and after a drop', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    await expect(el).to.be.accessible();
    const completed = oneEvent(el, 'video-upload-complete');
    drop(el, [videoFile('dropped.mp4', 200_000)]);
    await completed;
    await expect(el).to.be.accessible();
  });

  it('uploads a dropped file in parts, firing its events in order with their details', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__token" chunk-size=${5 * MiB}></video-uploader>`,
    );
    const events = recordEvents(el);
    const file = videoFile('parts.mp4', 11 * MiB);
    const completed = oneEvent(el, 'video-upload-complete') as Promise<VideoUploadCompleteEvent>;
    drop(el, [file]);
    const { detail } = await completed;

    const types = events
      .map((event) => event.type)
      .filter((type, i, all) => type !== 'progress' || all[i - 1] !== 'progress');
    expect(types).to.deep.equal(['select', 'token', 'start', 'progress', 'complete']);
    const [select, token, start] = events;
    expect(select.detail.file).to.equal(file);
    expect((token.detail.grant as { token: string }).token).to.match(/^to[0-9A-Za-z]{22}$/);
    expect(token.detail.refreshed).to.equal(false);
    expect(start.detail).to.deep.equal({ file, resumedBytes: 0 });
    const percents = events
      .filter((e) => e.type === 'progress')
      .map((e) => (e.detail.progress as { percent: number }).percent);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1])).to.equal(true);
    expect(percents.at(-1)).to.equal(100);
    const last = events.filter((e) => e.type === 'progress').at(-1)!.detail.progress as {
      parts: number;
      uploadedBytes: number;
    };
    expect(last.parts).to.equal(3);
    expect(last.uploadedBytes).to.equal(file.size);

    expect(detail.file).to.equal(file);
    expect(detail.video.videoId).to.match(/^vi[0-9A-Za-z]{22}$/);
    expect(el.value).to.equal(detail.video.videoId);
    const source = await executeServerCommand<{ size: number }, { videoId: string }>('source-sha256', {
      videoId: detail.video.videoId,
    });
    expect(source.size).to.equal(file.size);
  });

  it('uploads nothing when the page prevents video-upload-select', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    const events = recordEvents(el);
    el.addEventListener('video-upload-select', (event) => {
      if (event.detail.file.name.startsWith('secret')) event.preventDefault();
    });
    await executeServerCommand('token-endpoint-log', { reset: true });
    drop(el, [videoFile('secret-plans.mp4')]);
    await waitUntil(() => events.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.map((e) => e.type)).to.deep.equal(['select']);
    expect(el.state).to.equal('idle');
    expect(part(el, 'button')).to.exist;
    expect(
      await executeServerCommand<unknown[], { reset: boolean }>('token-endpoint-log', { reset: false }),
    ).to.deep.equal([]);
  });

  it('with multiple, queues files and uploads them one after another', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__token" multiple name="videos"></video-uploader>`,
    );
    await expect(el).to.be.accessible();
    expect(text(el, 'button')).to.equal('Choose videos');
    const order: string[] = [];
    for (const type of ['start', 'complete'] as const) {
      el.addEventListener(`video-upload-${type}`, (event) => order.push(`${type}:${event.detail.file.name}`));
    }
    drop(el, [videoFile('one.mp4', 400_000), videoFile('two.mp4', 300_000), videoFile('three.mp4', 200_000)]);
    await waitUntil(() => el.videos.length === 3, 'three videos uploaded', { timeout: 20000 });
    expect(order).to.deep.equal([
      'start:one.mp4',
      'complete:one.mp4',
      'start:two.mp4',
      'complete:two.mp4',
      'start:three.mp4',
      'complete:three.mp4',
    ]);
    await el.updateComplete;
    expect(el.state).to.equal('complete');
    expect(part(el, 'videos')!.querySelectorAll('li')).to.have.length(3);
    expect(part(el, 'queue')).to.equal(null);
    const form = document.createElement('form');
    form.append(el);
    document.body.append(form);
    await el.updateComplete;
    expect(new FormData(form).getAll('videos')).to.deep.equal(el.videos.map((video) => video.videoId));
    form.remove();
  });

  it('shows the queue while files wait', async () => {
    const url = await tokenUrl({ bandwidth: 512 * 1024 });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} multiple></video-uploader>`);
    const started = oneEvent(el, 'video-upload-start');
    drop(el, [videoFile('a.mp4', MiB), videoFile('b.mp4', 1000), videoFile('c.mp4', 1000)]);
    await started;
    await waitUntil(() => text(el, 'queue') === '2 more videos waiting');
    await expect(el).to.be.accessible();
    el.cancel();
    await el.updateComplete;
    expect(part(el, 'queue')).to.equal(null);
    expect(el.state).to.equal('canceled');
  });

  it('retries a failed upload from the retry button', async () => {
    const url = await tokenUrl({
      rules: [{ method: 'POST', path: '/upload', times: 1, action: { type: 'status', status: 500 } }],
    });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} retries="0"></video-uploader>`);
    const failed = oneEvent(el, 'video-upload-error');
    el.start(videoFile('flaky.mp4', 100_000));
    expect((await failed).detail.error.code).to.equal('server');
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('The video service had a problem. Try again in a moment.');
    const completed = oneEvent(el, 'video-upload-complete');
    part<HTMLButtonElement>(el, 'retry-button')!.click();
    await completed;
    expect(el.state).to.equal('complete');
  });

  it('sends again a part that stalls for longer than stall-timeout', async () => {
    const url = await tokenUrl({
      rules: [{ method: 'POST', path: '/upload', times: 1, action: { type: 'stall', afterBytes: 16 * 1024 } }],
    });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} stall-timeout="1"></video-uploader>`);
    const events = recordEvents(el);
    const completed = oneEvent(el, 'video-upload-complete');
    const started = performance.now();
    el.start(videoFile('stalls.mp4', 200_000));
    await completed;
    // Well before the engine's default of 30 s.
    expect(performance.now() - started).to.be.below(15_000);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).to.have.length(1);
    expect((retries[0].detail.error as Error).message).to.match(/No upload progress for 1 s/);
    expect(el.state).to.equal('complete');
  });

  it('cancels an upload in flight and goes back to the drop zone', async () => {
    const url = await tokenUrl({ bandwidth: 256 * 1024 });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url}></video-uploader>`);
    const progressed = oneEvent(el, 'video-upload-progress');
    el.start(videoFile('long.mp4', 2 * MiB));
    await progressed;
    const canceled = oneEvent(el, 'video-upload-cancel');
    await el.updateComplete;
    part<HTMLButtonElement>(el, 'cancel-button')!.click();
    expect((await canceled).detail.file.name).to.equal('long.mp4');
    await el.updateComplete;
    expect(el.state).to.equal('canceled');
    expect(el.matches(':state(canceled)')).to.equal(true);
    expect(text(el, 'status')).to.equal('Upload canceled');
    expect(part(el, 'button')).to.exist;
    await waitUntil(() => el.shadowRoot!.querySelector('[role=status]')!.textContent === 'Upload canceled');
  });

  it('announces milestones in the polite live region, not every byte', async () => {
    const url = await tokenUrl({ bandwidth: 3 * MiB });
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${url} chunk-size=${5 * MiB}></video-uploader>`,
    );
    const region = el.shadowRoot!.querySelector('[role=status]')!;
    expect(region.getAttribute('aria-live')).to.equal('polite');
    const said: string[] = [];
    new MutationObserver(() => said.push(region.textContent)).observe(region, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    let progressEvents = 0;
    el.addEventListener('video-upload-progress', () => progressEvents++);
    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('milestones.mp4', 12 * MiB));
    await completed;
    await el.updateComplete;
    expect(said[0]).to.equal('Uploading milestones.mp4');
    expect(said.at(-1)).to.equal('milestones.mp4 uploaded');
    const middle = said.slice(1, -1);
    expect(middle.length).to.be.within(1, 3);
    for (const line of middle) expect(['25% uploaded', '50% uploaded', '75% uploaded']).to.include(line);
    expect(new Set(middle).size).to.equal(middle.length);
    expect(progressEvents).to.be.above(said.length);
  });

  it('shows an automatic retry and goes on', async () => {
    const url = await tokenUrl({
      rules: [
        {
          method: 'POST',
          path: '/upload',
          times: 1,
          action: { type: 'status', status: 503, headers: { 'Retry-After': '1' } },
        },
      ],
    });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url}></video-uploader>`);
    const retried = oneEvent(el, 'video-upload-retry');
    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('again.mp4', 100_000));
    const { detail } = await retried;
    expect(detail.file.name).to.equal('again.mp4');
    expect(detail.attempt).to.equal(1);
    expect(detail.error.code).to.equal('server');
    expect(detail.delayMs).to.equal(1000);
    await el.updateComplete;
    expect(el.state).to.equal('retrying');
    expect(el.matches(':state(retrying)')).to.equal(true);
    expect(text(el, 'status')).to.equal('Connection trouble, trying again (1 of 6)…');
    await completed;
    expect(el.state).to.equal('complete');
  });

  it('drops a failed upload from its cancel button, and cancel() leaves a finished one alone', async () => {
    const url = await tokenUrl({
      rules: [{ method: 'POST', path: '/upload', times: 1, action: { type: 'status', status: 500 } }],
    });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} retries="0"></video-uploader>`);
    const failed = oneEvent(el, 'video-upload-error');
    el.start(videoFile('dropped-after-failure.mp4', 50_000));
    await failed;
    await el.updateComplete;
    const canceled = oneEvent(el, 'video-upload-cancel');
    part<HTMLButtonElement>(el, 'cancel-button')!.click();
    expect((await canceled).detail.file.name).to.equal('dropped-after-failure.mp4');
    await el.updateComplete;
    expect(el.state).to.equal('canceled');
    expect(el.error).to.equal(null);

    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('kept.mp4', 50_000));
    await completed;
    el.addEventListener('video-upload-cancel', () => expect.fail('a finished upload was canceled'));
    el.cancel();
    await el.updateComplete;
    expect(el.state).to.equal('complete');
    expect(el.value).to.match(/^vi/);
  });
});
