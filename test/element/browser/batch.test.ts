/** `multiple`: the waiting files listed and removable, refused files kept with their reason, Cancel that asks. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/element/index.js';
import type { VideoUploader } from '../../../src/element/index.js';
import { drop, MiB, part, recordEvents, text, tokenUrl, videoFile } from './helpers.js';

const names = (el: VideoUploader, selector: string): string[] =>
  [...el.shadowRoot!.querySelectorAll(selector)].map((node) => node.textContent!.trim());

describe('<video-uploader> batch', () => {
  it('lists the waiting files, takes one out, and keeps a refused file listed with its reason', async () => {
    const url = await tokenUrl({ bandwidth: 128 * 1024 });
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${url} multiple max-file-size="3000000"></video-uploader>`,
    );
    const events = recordEvents(el);
    const started = oneEvent(el, 'video-upload-start');
    drop(el, [
      videoFile('first.mp4', 1 * MiB),
      videoFile('too-big.mp4', 4 * MiB),
      videoFile('second.mp4', 1000),
      videoFile('third.mp4', 1000),
    ]);
    await started;
    await waitUntil(() => names(el, '[part~=queued-name]').length === 2, 'two files waiting');
    expect(names(el, '[part~=queued-name]')).to.deep.equal(['second.mp4', 'third.mp4']);
    expect(text(el, 'queue')).to.equal('2 more videos waiting');
    // The refused file stays listed, with why.
    expect(text(el, 'refused-label')).to.equal('Not uploaded');
    expect(names(el, '[part~=refused] li')[0]).to.match(/^too-big\.mp4: .*(large|MB)/);
    await expect(el).to.be.accessible();

    const remove = el.shadowRoot!.querySelector<HTMLButtonElement>('[aria-label="Remove second.mp4 from the queue"]')!;
    remove.click();
    await el.updateComplete;
    expect(names(el, '[part~=queued-name]')).to.deep.equal(['third.mp4']);
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'remove-button'));

    await waitUntil(() => el.videos.length === 2, 'first and third uploaded', { timeout: 40_000 });
    expect(events.filter((e) => e.type === 'complete').map((e) => (e.detail.file as File).name)).to.deep.equal([
      'first.mp4',
      'third.mp4',
    ]);
    expect(names(el, '[part~=refused] li')).to.have.length(1);
  });

  it('asks on Cancel during a batch: this file goes on to the next, all stops the batch, keep goes on', async () => {
    const url = await tokenUrl({ bandwidth: 256 * 1024 });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} multiple></video-uploader>`);
    const started = oneEvent(el, 'video-upload-start');
    drop(el, [videoFile('one.mp4', 2 * MiB), videoFile('two.mp4', 2 * MiB), videoFile('three.mp4', 2 * MiB)]);
    await started;
    await waitUntil(() => part(el, 'cancel-button'), 'uploading');

    part(el, 'cancel-button')!.click();
    await el.updateComplete;
    expect(text(el, 'confirm-cancel')).to.contain('Cancel only this file, or every file still to upload?');
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'keep-button'));
    await expect(el).to.be.accessible();
    part(el, 'keep-button')!.click();
    await el.updateComplete;
    expect(part(el, 'confirm-cancel')).to.equal(null);
    expect(el.state).to.not.equal('canceled');

    const canceled = oneEvent(el, 'video-upload-cancel');
    const next = oneEvent(el, 'video-upload-start');
    part(el, 'cancel-button')!.click();
    await el.updateComplete;
    part(el, 'cancel-this-button')!.click();
    expect(((await canceled).detail as { file: File }).file.name).to.equal('one.mp4');
    expect(((await next).detail as { file: File }).file.name).to.equal('two.mp4');
    await el.updateComplete;
    expect(names(el, '[part~=queued-name]')).to.deep.equal(['three.mp4']);

    part(el, 'cancel-button')!.click();
    await el.updateComplete;
    part(el, 'cancel-all-button')!.click();
    await el.updateComplete;
    expect(el.state).to.equal('canceled');
    expect(part(el, 'queue')).to.equal(null);
    expect(el.videos).to.deep.equal([]);
  });

  it('cancels at once when nothing waits', async () => {
    const url = await tokenUrl({ bandwidth: 256 * 1024 });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url} multiple></video-uploader>`);
    const started = oneEvent(el, 'video-upload-start');
    drop(el, [videoFile('alone.mp4', 2 * MiB)]);
    await started;
    await waitUntil(() => part(el, 'cancel-button'), 'uploading');
    part(el, 'cancel-button')!.click();
    await el.updateComplete;
    expect(part(el, 'confirm-cancel')).to.equal(null);
    expect(el.state).to.equal('canceled');
  });
});
