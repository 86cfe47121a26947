/** Keyboard-only operation: every action reachable with Tab, Enter and Space, and focus never lost. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader } from '../../../src/element/index.js';
import { part, pick, tokenUrl, videoFile } from './helpers.js';

const focused = (el: VideoUploader): Element | null => el.shadowRoot!.activeElement;

describe('<video-uploader> with the keyboard only', () => {
  it('is accessible', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    await expect(el).to.be.accessible();
  });

  it('picks, pauses, resumes, cancels and starts over without a mouse', async () => {
    const url = await tokenUrl({ bandwidth: 256 * 1024 });
    const el = await fixture<VideoUploader>(html`<video-uploader token-url=${url}></video-uploader>`);
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=file]')!;
    let pickerOpened = 0;
    // The system file picker cannot be driven from a page; the test stands in for it.
    input.addEventListener('click', (event) => {
      event.preventDefault();
      pickerOpened++;
    });

    await sendKeys({ press: 'Tab' });
    expect(focused(el)).to.equal(part(el, 'button'));
    await sendKeys({ press: 'Enter' });
    expect(pickerOpened).to.equal(1);
    await sendKeys({ press: ' ' });
    expect(pickerOpened).to.equal(2);

    const progressed = oneEvent(el, 'video-upload-progress');
    pick(el, [videoFile('keys.mp4', 2 * 1024 * 1024)]);
    await progressed;
    await el.updateComplete;
    // The file button went away with the drop zone; focus moved to the upload's first control.
    expect(focused(el)).to.equal(part(el, 'pause-button'));

    const paused = oneEvent(el, 'video-upload-pause');
    await sendKeys({ press: ' ' });
    await paused;
    await el.updateComplete;
    expect(el.state).to.equal('paused');
    expect(focused(el)?.textContent?.trim()).to.equal('Resume');

    const resumed = oneEvent(el, 'video-upload-resume');
    await sendKeys({ press: 'Enter' });
    await resumed;
    await waitUntil(() => el.state === 'uploading');

    await sendKeys({ press: 'Tab' });
    expect(focused(el)).to.equal(part(el, 'cancel-button'));
    const canceled = oneEvent(el, 'video-upload-cancel');
    await sendKeys({ press: 'Enter' });
    await canceled;
    await el.updateComplete;
    expect(el.state).to.equal('canceled');
    expect(focused(el)).to.equal(part(el, 'button'));
  });

  it('reaches the done state and starts over from the keyboard', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    el.shadowRoot!.querySelector('input[type=file]')!.addEventListener('click', (event) => event.preventDefault());
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    const completed = oneEvent(el, 'video-upload-complete');
    pick(el, [videoFile('quick.mp4', 50_000)]);
    await completed;
    await el.updateComplete;
    expect(focused(el)).to.equal(part(el, 'another-button'));
    await executeServerCommand('press-keys', { chord: ['Shift', 'Tab'] });
    expect(focused(el)).to.equal(part(el, 'link'));
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(focused(el)).to.equal(part(el, 'button'));
  });
});
